/**
 * Issue 12, item 3 (file modes): everything the compiled binary creates under `state.dir` is
 * its owner's only: files 0600 (the db and its -wal/-shm, every log file, rotated ones too),
 * folders 0700. Run with umask 000, so the modes cannot come from the umask.
 */
import { afterEach, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixtureCommand, freePort, waitFor } from "../helpers/processes";
import { quickManifest } from "../helpers/quick-manifest";

const runs: BinaryRun[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
});

/** Every path under `dir` (itself included) with its permission bits, as "path 0600". */
function modes(dir: string): string[] {
  const out = [`. ${(statSync(dir).mode & 0o777).toString(8)}`];
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub)).sort()) {
      const rel = sub ? `${sub}/${name}` : name;
      const stat = statSync(join(dir, rel));
      out.push(`${rel} ${(stat.mode & 0o777).toString(8)}`);
      if (stat.isDirectory()) walk(rel);
    }
  };
  walk("");
  return out;
}

/** A tmp fleet dir whose manifest runs `services` (plus a healthy `web`) with state.dir `stateDir`. */
function fleetDir(stateDir: string, services: Record<string, unknown> = {}): string {
  const web = { command: fixtureCommand("healthy.ts"), port: freePort(), health: { http: "/health" } };
  return writeFleetDir(quickManifest("file-modes", { apiPort: freePort(), stateDir, services: { ...services, web } }));
}

test("state.dir, logs/, the db with its -wal/-shm and every log file (rotated too) are 0700 / 0600, even with umask 000", async () => {
  const dir = fleetDir("state/nested", {
    // up to 16 MiB/s for 3 s: past the 10 MB rotation point, with room for a slow machine
    flood: { command: fixtureCommand("flood-stdout.ts"), env: { FLOOD_MS: 3000, LINE_BYTES: 2000 }, health: false, restart: { policy: "never" } },
  });
  const umask = process.umask(0);
  let run: BinaryRun;
  try {
    run = new BinaryRun(dir, ["up"]); // spawned here, with this umask
  } finally {
    process.umask(umask);
  }
  runs.push(run);
  const state = join(dir, "state", "nested");
  await waitFor(() => existsSync(join(state, "logs", "flood.log.1")), 30_000, "flood.log to rotate");
  await run.waitRecord((r) => r.msg === "SYSTEM READY", 20_000, "SYSTEM READY");

  const running = modes(state);
  for (const name of ["orchestrator.db", "orchestrator.db-wal", "orchestrator.db-shm", "logs/flood.log", "logs/flood.log.1", "logs/web.log"]) {
    expect(running).toContainEqual(`${name} 600`);
  }
  expect(running).toContain(". 700");
  expect(running).toContain("logs 700");
  expect(running.filter((e) => !/ (600|700)$/.test(e))).toEqual([]);
  expect(running.filter((e) => / 700$/.test(e))).toEqual([". 700", "logs 700"]); // only folders are 0700
  expect((statSync(join(dir, "state")).mode & 0o777).toString(8)).toBe("700"); // a parent it had to create too

  run.signal("SIGTERM");
  expect(await run.exited).toBe(0);
  const stopped = modes(state);
  expect(stopped.filter((e) => !/ (600|700)$/.test(e))).toEqual([]);
}, 60_000);

test("in a state.dir that already exists, logs/ and files of ours left wider by an older version are narrowed", async () => {
  const dir = fleetDir("state");
  const state = join(dir, "state");
  mkdirSync(join(state, "logs"), { recursive: true, mode: 0o755 });
  writeFileSync(join(state, "logs", "web.log"), "from an older version\n", { mode: 0o644 });
  const run = new BinaryRun(dir, ["up"]);
  runs.push(run);
  await run.waitRecord((r) => r.msg === "SYSTEM READY", 20_000, "SYSTEM READY");
  await waitFor(() => (statSync(join(state, "logs", "web.log")).mode & 0o777) === 0o600, 5000, "web.log narrowed to 0600");
  expect(statSync(join(state, "logs")).mode & 0o777).toBe(0o700);
  expect(statSync(join(state, "orchestrator.db")).mode & 0o777).toBe(0o600);
}, 60_000);
