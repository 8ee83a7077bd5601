import { describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock";
import { pumpLines } from "../../src/process/pump-lines";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe("pumpLines", () => {
  test("past the byte budget it stops reading until the window ends", async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const chunk = (n: number) => `${String(n).padEnd(99, ".")}\n`; // 100 bytes
    // 1000 B/s = 100 bytes per 100 ms window: one chunk per window.
    const done = pumpLines(streamOf([chunk(1), chunk(2), chunk(3)]), "stdout", (_s, l) => lines.push(l[0]!), {
      clock,
      maxBytesPerSecond: 1000,
    });
    await clock.advance(0);
    expect(lines).toEqual(["1"]);
    await clock.advance(100);
    expect(lines).toEqual(["1", "2"]);
    await clock.advance(100);
    expect(lines).toEqual(["1", "2", "3"]);
    await clock.advance(100); // the budget pause after the last chunk
    await done;
  });

  test("a consumer that throws does not stop the pipe being drained", async () => {
    const seen: string[] = [];
    await pumpLines(streamOf(["a\nb\nc\n"]), "stderr", (stream, line) => {
      seen.push(`${stream}:${line}`);
      if (line === "a") throw new Error("consumer bug");
    }, { clock: new FakeClock(), maxBytesPerSecond: 0 });
    expect(seen).toEqual(["stderr:a", "stderr:b", "stderr:c"]);
  });
});
