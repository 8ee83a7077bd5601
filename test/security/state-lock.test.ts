/**
 * Issue 12 item 5, against the compiled binary: one orchestrator per state dir. A second
 * `up` on a state dir in use exits 1 naming the first's pid and API URL and starts nothing;
 * the lock dies with a SIGKILLed orchestrator, is dropped (file removed) on a clean stop,
 * is never inherited by services, and is not taken by check, plan, export or clients.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BinaryRun, ensureBinary, writeFleetDir, type LogRecord } from "../helpers/binary-run";
import { fixtureCommand, freePort, killPids, waitFor, waitGone } from "../helpers/processes";

const runs: BinaryRun[] = [];
const dirs: string[] = [];
const pids: number[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
  killPids(pids);
  await waitGone(pids.splice(0), 3000);
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

const FAST = { health: { interval: "200ms", timeout: "500ms", failureThreshold: 2 }, shutdown: { timeout: "2s" } };
const isReady = (r: LogRecord) => r.msg === "SYSTEM READY";

/** An absolute state dir shared by several fleet dirs (each BinaryRun removes only its own dir). */
function sharedStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "orch-lock-"));
  dirs.push(dir);
  return join(dir, "state");
}

function manifest(stateDir: string, apiPort: number, services: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return { version: 1, name: "lock", api: { host: "127.0.0.1", port: apiPort }, discovery: { roots: [] }, state: { dir: stateDir }, defaults: FAST, services };
}

function start(dir: string, args: string[] = ["up"]): BinaryRun {
  const run = new BinaryRun(dir, args);
  runs.push(run);
  return run;
}

/** A fleet (one healthy service) on `stateDir`, started and ready. */
async function upReady(stateDir: string, apiPort = freePort()): Promise<{ run: BinaryRun; api: string }> {
  const run = start(writeFleetDir(manifest(stateDir, apiPort, { web: { command: fixtureCommand("healthy.ts"), port: freePort() } })));
  await run.waitRecord(isReady, 20_000, "SYSTEM READY");
  return { run, api: `http://127.0.0.1:${apiPort}` };
}

/** The binary's exit code, or "still running" after `ms` (the baseline never exits on its own). */
function exitWithin(run: BinaryRun, ms: number): Promise<number | "still running"> {
  return Promise.race([run.exited, Bun.sleep(ms).then(() => "still running" as const)]);
}

function lockRecord(stateDir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(stateDir, "orchestrator.lock"), "utf8")) as Record<string, unknown>;
}

function inUseMessage(stateDir: string, pid: number, api: string): string {
  return `orchestrator: state.dir ${stateDir} is in use by another orchestrator (pid ${pid}, API ${api}); stop it first or set a different state.dir\n`;
}

/** Every process below `root` (services, their children, the watchdog), from /proc ppid links. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  for (let frontier = [root]; frontier.length > 0; ) {
    frontier = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([pid]) => pid);
    found.push(...frontier);
  }
  return found;
}

function openFiles(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return "";
      }
    });
  } catch {
    return [];
  }
}

describe("one orchestrator per state dir (compiled binary)", () => {
  test("a second up on the same state.dir exits 1 naming the first's pid and API URL, and starts nothing", async () => {
    const stateDir = sharedStateDir();
    const first = await upReady(stateDir);
    const secondDir = writeFleetDir({});
    const marker = join(secondDir, "intruder.pid");
    const secondApi = freePort();
    writeFileSync(
      join(secondDir, "orchestrator.yaml"),
      JSON.stringify(manifest(stateDir, secondApi, { intruder: { command: `echo started >> ${marker}; exec sleep 60`, health: false } })),
    );

    const second = start(secondDir);
    expect(await exitWithin(second, 15_000)).toBe(1);
    expect(await second.stderrText).toBe(inUseMessage(stateDir, first.run.pid, first.api));
    expect(existsSync(marker)).toBe(false);
    expect(second.lines).toEqual([]); // no log at all: no store opened, no service, no API
    expect(await fetch(`http://127.0.0.1:${secondApi}/orchestrator/status`).then(() => "answered", () => "refused")).toBe("refused");

    // The first is untouched: its record, and a gap-free history of its own services only.
    expect(lockRecord(stateDir)).toMatchObject({ pid: first.run.pid, api: first.api, listening: true });
    const events = (await (await fetch(`${first.api}/orchestrator/events?since=0`)).json()) as { seq: number; type: string; payload: { name?: string } }[];
    expect(events.length).toBeGreaterThan(0);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.payload.name === "intruder")).toEqual([]);

    // Only `up` locks: check, plan, export and client commands work beside a running orchestrator.
    for (const args of [["check"], ["plan"], ["export", "compose", "-o", join(secondDir, "out")], ["status", "--api", first.api]]) {
      const other = start(secondDir, args);
      expect({ args, code: await exitWithin(other, 15_000) }).toEqual({ args, code: 0 });
    }
  }, 60_000);

  test("after a SIGKILL the stale lock file does not block the next up, which takes it over", async () => {
    const stateDir = sharedStateDir();
    const first = await upReady(stateDir);
    process.kill(first.run.pid, "SIGKILL");
    await first.run.exited;
    expect(lockRecord(stateDir)).toMatchObject({ pid: first.run.pid }); // left behind, stale

    const next = await upReady(stateDir);
    expect(lockRecord(stateDir)).toMatchObject({ pid: next.run.pid, api: next.api, listening: true });
  }, 60_000);

  test("the lock fd is the orchestrator's alone: no service, grandchild, daemon or watchdog holds it", async () => {
    const stateDir = sharedStateDir();
    const lockFile = join(stateDir, "orchestrator.lock");
    // `daemon` leaves a setsid'd child outside its group (one that may survive the orchestrator).
    const services = {
      web: { command: fixtureCommand("healthy.ts"), port: freePort() },
      forker: { command: fixtureCommand("fork-grandchildren.ts"), health: false },
      daemon: { command: `setsid sleep 300 & echo "{\\"pid\\":$$$$,\\"grandchildren\\":[$!]}"; exec sleep 300`, health: false },
    };
    const run = start(writeFleetDir(manifest(stateDir, freePort(), services)));
    await run.waitRecord(isReady, 20_000, "SYSTEM READY");
    await waitFor(() => run.grandchildren().length === 3, 5000, "the forker's 2 grandchildren and the daemon's child");

    expect(openFiles(run.pid)).toContain(lockFile);
    const below = [...new Set([...descendants(run.pid), ...run.grandchildren()])];
    expect(below.length).toBeGreaterThanOrEqual(7); // 3 services, 3 grandchildren, the watchdog
    expect(below.filter((pid) => openFiles(pid).includes(lockFile))).toEqual([]);

    // Whatever outlives a SIGKILL of the orchestrator, the next up gets the state dir.
    process.kill(run.pid, "SIGKILL");
    await run.exited;
    pids.push(...below);
    await upReady(stateDir);
  }, 60_000);

  test("a lock held by a process that is not an orchestrator: exit 1 naming that pid, nothing started", async () => {
    const stateDir = sharedStateDir();
    mkdirSync(stateDir);
    const holder = Bun.spawn([...fixtureCommand("hold-flock.ts")], { env: { ...process.env, FLOCK_PATH: join(stateDir, "orchestrator.lock") }, stdout: "pipe" });
    pids.push(holder.pid);
    await holder.stdout.getReader().read(); // "locked PID"

    const run = start(writeFleetDir(manifest(stateDir, freePort(), { web: { command: fixtureCommand("healthy.ts"), port: freePort() } })));
    expect(await exitWithin(run, 15_000)).toBe(1);
    expect(await run.stderrText).toBe(
      `orchestrator: state.dir ${stateDir} is locked by another process (pid ${holder.pid}; ${join(stateDir, "orchestrator.lock")} holds no record of a running orchestrator); stop it first or set a different state.dir\n`,
    );
    expect(run.transitions()).toEqual([]);
    // no store and nothing written: only the lock file and the (empty) logs/ folder the writability check made
    expect(readdirSync(stateDir).sort()).toEqual(["logs", "orchestrator.lock"]);
    expect(readdirSync(join(stateDir, "logs"))).toEqual([]);
  }, 30_000);

  test("a reload that changes state.dir is ignored and the lock stays; a clean stop removes the lock file", async () => {
    const stateDir = sharedStateDir();
    const first = await upReady(stateDir);
    const manifestFile = join(first.run.dir, "orchestrator.yaml");
    const moved = sharedStateDir();
    const edited = JSON.parse(readFileSync(manifestFile, "utf8")) as { state: { dir: string } };
    writeFileSync(manifestFile, JSON.stringify({ ...edited, state: { dir: moved } }));
    const diff = (await (await fetch(`${first.api}/orchestrator/reload`, { method: "POST" })).json()) as { ignored: { key: string }[] };
    expect(diff.ignored.map((i) => i.key)).toContain("state.dir");
    expect(existsSync(moved)).toBe(false);

    const second = start(writeFleetDir(manifest(stateDir, freePort(), {})));
    expect(await exitWithin(second, 15_000)).toBe(1);
    expect(await second.stderrText).toBe(inUseMessage(stateDir, first.run.pid, first.api));

    first.run.signal("SIGTERM");
    expect(await first.run.exited).toBe(0);
    expect(readdirSync(stateDir)).not.toContain("orchestrator.lock");
    await upReady(stateDir);
  }, 60_000);
});
