/**
 * Service log files from the compiled binary (SPEC §13 `logs`): every record carries its
 * time and stream (raw `ts stream line`, json `{ts, stream, line}`), files rotate at the
 * service's own maxSize and keep `keep`, and a reload that changes `logs` applies in place
 * (the diff says updated, the pid stays, the next lines follow the new format).
 * `orchestrator logs` still shows the bare lines from the ring buffer.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixtureCommand, freePort, waitFor } from "../helpers/processes";

const runs: BinaryRun[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
});

const RAW = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (stdout out|stderr err) \d+$/;

function manifest(apiPort: number, tickerLogs: Record<string, unknown>): Record<string, unknown> {
  return {
    version: 1,
    name: "logs",
    api: { host: "127.0.0.1", port: apiPort },
    discovery: { roots: [] },
    state: { dir: "state" },
    logs: { maxSize: "1KB", keep: 2 },
    defaults: { shutdown: { timeout: "2s" } },
    services: {
      ticker: { command: fixtureCommand("print-streams.ts"), health: false, logs: tickerLogs },
      small: { command: fixtureCommand("print-streams.ts"), env: { TICK_MS: 2 }, health: false },
    },
  };
}

const lines = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean);

describe("log files (compiled binary)", () => {
  test("raw records with time and stream, rotation by the service's sizes, and a reload to json applied in place", async () => {
    const apiPort = freePort();
    const dir = writeFleetDir(manifest(apiPort, { maxSize: "1MB", format: "raw" }));
    const run = new BinaryRun(dir, ["up"]);
    runs.push(run);
    await run.waitRecord((r) => r.msg === "SYSTEM READY", 20_000, "SYSTEM READY");
    const logs = join(dir, "state", "logs");
    const ticker = join(logs, "ticker.log");
    await waitFor(() => existsSync(ticker) && lines(ticker).length >= 6, 10_000, "ticker.log to have lines on both streams");
    const raw = lines(ticker);
    expect(raw.every((line) => RAW.test(line))).toBe(true);
    expect(new Set(raw.map((line) => line.split(" ")[1]))).toEqual(new Set(["stdout", "stderr"]));
    const [first] = raw;
    expect(Math.abs(Date.parse(first.split(" ")[0]) - Date.now())).toBeLessThan(60_000); // a real UTC time, not a counter

    // small: the top-level 1KB × 2, filled fast; never a third rotated file, none past 1000 bytes
    await waitFor(() => existsSync(join(logs, "small.log.2")), 20_000, "small.log to rotate twice");
    // A rotation renames .1 to .2 and then the file to .1: a listing between the two misses .1.
    // Every listing must hold no third rotated file; within a few, one falls between rotations.
    let small: string[] = [];
    for (let look = 0; look < 50; look++) {
      small = readdirSync(logs).filter((name) => name.startsWith("small.log")).sort();
      expect(small.filter((name) => !["small.log", "small.log.1", "small.log.2"].includes(name))).toEqual([]);
      if (small.length === 3) break;
      await Bun.sleep(20);
    }
    expect(small).toEqual(["small.log", "small.log.1", "small.log.2"]);
    for (const name of small) expect(statSync(join(logs, name)).size).toBeLessThanOrEqual(1000);
    expect(lines(join(logs, "small.log.1")).every((line) => RAW.test(line))).toBe(true);

    // `orchestrator logs` reads the ring buffer through the API: bare lines, its own time column
    const client = new BinaryRun(dir, ["logs", "ticker", "-n", "4", "--api", `http://127.0.0.1:${apiPort}`]);
    runs.push(client);
    expect(await client.exited).toBe(0);
    expect(client.lines.filter(Boolean).every((line) => /^\d\d:\d\d:\d\d\.\d{3} \[(stdout|stderr)\] (out|err) \d+$/.test(line))).toBe(true);
    expect(client.lines.filter(Boolean)).toHaveLength(4);

    const pid = run.transitions().filter((t) => t.service === "ticker").at(-1)!.pid;
    writeFileSync(join(dir, "orchestrator.yaml"), JSON.stringify(manifest(apiPort, { maxSize: "1MB", format: "json" })));
    const diff = (await (await fetch(`http://127.0.0.1:${apiPort}/orchestrator/reload`, { method: "POST" })).json()) as Record<string, unknown>;
    expect(diff).toMatchObject({ changed: [], updated: [{ name: "ticker", fields: ["logs.format"] }], unchanged: ["small"] });
    const before = lines(ticker).length;
    await waitFor(() => lines(ticker).length >= before + 6, 10_000, "json lines after the reload");
    const after = lines(ticker).slice(before + 2); // a line or two may have been queued before the reload
    expect(after.length).toBeGreaterThanOrEqual(4);
    for (const line of after) {
      const record = JSON.parse(line) as { ts: string; stream: string; line: string };
      expect(Object.keys(record)).toEqual(["ts", "stream", "line"]);
      expect(record.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(`${record.stream} ${record.line}`).toMatch(/^(stdout out|stderr err) \d+$/);
    }
    expect(run.transitions().filter((t) => t.service === "ticker").at(-1)!.pid).toBe(pid);
    expect(run.transitions().filter((t) => t.service === "ticker" && t.to === "stopping")).toEqual([]);
  }, 60_000);
});
