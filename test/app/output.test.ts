/**
 * Service output into its log file, as `logs` says: records with time and stream (raw or
 * json), rotated by the service's own sizes, and settings that follow the live config (a
 * reload) from the next line. The ring buffer (`orchestrator logs`, the API) keeps the bare lines.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OutputSinks } from "../../src/app/output";
import type { LogsConfig } from "../../src/contract/config";
import type { EventBody, OrchestratorEvent } from "../../src/contract/events";
import { FakeClock } from "../../src/lib/clock";

const sink = { emit: (body: EventBody) => ({ ...body, seq: 0, ts: 0 }) as OrchestratorEvent };
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

describe("OutputSinks log files", () => {
  let dir: string;
  let clock: FakeClock;
  let services: { name: string; logs: LogsConfig }[];
  let output: OutputSinks;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "output-"));
    clock = new FakeClock(T0);
    services = [
      { name: "web", logs: { maxBytes: 10_000_000, keep: 5, format: "raw" } },
      { name: "api", logs: { maxBytes: 10_000_000, keep: 5, format: "json" } },
    ];
    output = new OutputSinks(dir, sink, undefined, () => clock.now(), undefined, () => services);
  });
  afterEach(async () => {
    await output.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const fileLines = (name: string) => readFileSync(join(dir, "logs", name), "utf8").split("\n").filter(Boolean);

  test("raw and json records carry the time and the stream; the ring buffer keeps the bare line", async () => {
    output.write("web", "stdout", "listening on :8080");
    await clock.advance(1);
    output.write("web", "stderr", "warning: slow");
    output.write("api", "stdout", 'GET /health "200"');
    await output.close();
    expect(fileLines("web.log")).toEqual(["2026-01-02T03:04:05.678Z stdout listening on :8080", "2026-01-02T03:04:05.679Z stderr warning: slow"]);
    expect(fileLines("api.log").map((l) => JSON.parse(l))).toEqual([{ ts: "2026-01-02T03:04:05.679Z", stream: "stdout", line: 'GET /health "200"' }]);
    expect(output.recent("web").map((l) => [l.ts, l.stream, l.line])).toEqual([
      [T0, "stdout", "listening on :8080"],
      [T0 + 1, "stderr", "warning: slow"],
    ]);
  });

  test("a service's sizes decide its rotation: every file within maxBytes, `keep` of them", async () => {
    services = [{ name: "web", logs: { maxBytes: 200, keep: 2, format: "raw" } }];
    for (let i = 0; i < 40; i++) output.write("web", "stdout", `line ${i}`); // 37-38 bytes a record: 5 per file
    await output.close();
    const files = readdirSync(join(dir, "logs")).sort();
    expect(files).toEqual(["web.log", "web.log.1", "web.log.2"]);
    for (const name of files) expect(readFileSync(join(dir, "logs", name)).length).toBeLessThanOrEqual(200);
    expect(fileLines("web.log").at(-1)).toBe("2026-01-02T03:04:05.678Z stdout line 39");
  });

  test("new settings (a reload swaps the config) apply from the next line, to a file already open", async () => {
    output.write("web", "stdout", "before");
    services = [{ name: "web", logs: { maxBytes: 10_000_000, keep: 0, format: "json" } }];
    output.write("web", "stdout", "after");
    await output.close();
    expect(fileLines("web.log")).toEqual(["2026-01-02T03:04:05.678Z stdout before", JSON.stringify({ ts: "2026-01-02T03:04:05.678Z", stream: "stdout", line: "after" })]);
  });

  test("a file that is open follows a change of size and keep", async () => {
    output.write("web", "stdout", "x".repeat(50));
    services = [{ name: "web", logs: { maxBytes: 100, keep: 0, format: "raw" } }];
    output.write("web", "stdout", "y".repeat(50)); // would pass 100 bytes: rotated in place (keep 0)
    await output.close();
    expect(fileLines("web.log")).toEqual([`2026-01-02T03:04:05.678Z stdout ${"y".repeat(50)}`]);
    expect(existsSync(join(dir, "logs", "web.log.1"))).toBe(false);
  });

  test("a service not in the settings gets the defaults (raw, 10 MB, 5 kept)", async () => {
    output.write("other", "stdout", "hello");
    await output.close();
    expect(fileLines("other.log")).toEqual(["2026-01-02T03:04:05.678Z stdout hello"]);
  });
});
