import { describe, expect, test } from "bun:test";
import { LineSplitter, TRUNCATED_MARKER } from "../../src/process/line-splitter";

function split(chunks: (string | Uint8Array)[], maxLength?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), { maxLength });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe("LineSplitter", () => {
  test("joins a line split across chunks", () => {
    expect(split([bytes("hel"), bytes("lo\nwor"), bytes("ld\n")])).toEqual(["hello", "world"]);
  });

  test("keeps empty lines and emits a last line without newline at end", () => {
    expect(split(["a\n\nb"])).toEqual(["a", "", "b"]);
  });

  test("strips the CR of CRLF, also when CR and LF arrive in different chunks", () => {
    expect(split(["one\r\ntwo\r", "\nthree\r\n"])).toEqual(["one", "two", "three"]);
  });

  test("decodes a UTF-8 character split across chunks", () => {
    const all = bytes("héllo→🙂\n");
    const pieces = [all.slice(0, 2), all.slice(2, 7), all.slice(7, 9), all.slice(9)];
    expect(split(pieces)).toEqual(["héllo→🙂"]);
  });

  test("cuts an over-long line at the limit, marks it and drops the rest of it", () => {
    expect(split(["abcdefghij", "klmno\nnext\n"], 8)).toEqual([`abcdefgh${TRUNCATED_MARKER}`, "next"]);
  });

  test("an over-long line inside one chunk is cut the same way", () => {
    expect(split(["short\nabcdefghijkl\nok\n"], 8)).toEqual(["short", `abcdefgh${TRUNCATED_MARKER}`, "ok"]);
  });

  test("a line of exactly the limit passes whole, with or without CRLF", () => {
    expect(split(["abcd", "efgh\r\n", "abcdefgh"], 8)).toEqual(["abcdefgh", "abcdefgh"]);
  });

  test("memory stays bounded while a never-ending line streams in", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), { maxLength: 100 });
    for (let i = 0; i < 1000; i++) splitter.push("x".repeat(1000));
    splitter.push("\nend\n");
    expect(lines).toEqual(["x".repeat(100) + TRUNCATED_MARKER, "end"]);
  });

  test("never cuts a surrogate pair in half", () => {
    const [line] = split(["abc🙂🙂🙂\n"], 4);
    expect(line).toBe(`abc${TRUNCATED_MARKER}`);
  });
});
