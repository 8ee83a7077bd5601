/**
 * BunSpawner catching what a service leaves outside its process group: real double-forking
 * services (test/fixtures/double-fork.sh), killed and reaped with their service.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { BunSpawner, type BunSpawnerOptions } from "../../src/process/bun-spawner";
import { createExecProbe } from "../../src/health/exec-probe";
import { MARKER_VAR } from "../../src/process/marker";
import { readProcessInfo, scanAllProcesses } from "../../src/process/proc-scan";
import type { ChildHandle, SpawnerNotice } from "../../src/process/spawner";
import { fixtureCommand, fixturePath, isGone, killPids, waitFor, waitGone } from "../helpers/processes";

const env = process.env as Record<string, string>;
const cwd = import.meta.dir;
const DOUBLE_FORK = ["/bin/sh", fixturePath("double-fork.sh")];

let spawner: BunSpawner;
let notices: SpawnerNotice[] = [];
const started: number[] = [];

function makeSpawner(options: BunSpawnerOptions = {}): BunSpawner {
  notices = [];
  spawner = new BunSpawner({ onNotice: (notice) => notices.push(notice), ...options });
  return spawner;
}

afterEach(async () => {
  spawner?.close();
  const pids = started.splice(0);
  killPids(pids);
  await waitGone(pids, 3000);
});

/** Spawn the double-fork fixture as service `name`; resolves with its handle and its daemon's pid. */
async function spawnDaemonizing(name: string, extraEnv: Record<string, string> = {}): Promise<{ child: ChildHandle; daemon: number }> {
  let daemon = 0;
  const child = spawner.spawn({ name, command: DOUBLE_FORK, cwd, env: { ...env, ...extraEnv } }, (stream, line) => {
    if (stream === "stdout" && line.startsWith("{")) daemon = (JSON.parse(line) as { grandchildren: number[] }).grandchildren[0]!;
  });
  started.push(child.pid);
  await waitFor(() => daemon > 0, 10_000, `${name} to print its daemon`);
  started.push(daemon);
  return { child, daemon };
}

const killedNotices = (service: string) => notices.filter((n) => n.kind === "descendants-killed" && n.service === service);
const reaped = (pid: number) => !existsSync(`/proc/${pid}`);

describe("BunSpawner: escaped descendants, subreaper mode", () => {
  test("stop kills the daemon the service double-forked, reaps it, and says so", async () => {
    makeSpawner();
    const { child, daemon } = await spawnDaemonizing("web");
    expect(readProcessInfo(daemon)).toMatchObject({ ppid: process.pid, marker: `${spawner.runId}/1/web` });
    await child.stop("SIGTERM", 5000);
    await waitFor(() => reaped(daemon), 5000, `daemon ${daemon} killed and reaped`);
    expect(killedNotices("web")).toEqual([
      { kind: "descendants-killed", level: "warn", service: "web", pid: daemon, message: `web: killed 1 process that escaped its process group: ${daemon} (sleep)` },
    ]);
  });

  test("a daemon that emptied its environment is caught too (adopted, so traced to the spawn that ended)", async () => {
    makeSpawner();
    const { child, daemon } = await spawnDaemonizing("bare", { CLEAR_ENV: "1" });
    expect(readProcessInfo(daemon)?.marker).toBeNull();
    await child.stop("SIGTERM", 5000);
    await waitFor(() => reaped(daemon), 5000, `daemon ${daemon} killed and reaped`);
    expect(killedNotices("bare").map((n) => n.pid)).toEqual([daemon]);
  });

  test("a service that exits by itself takes its daemon along", async () => {
    makeSpawner();
    const { child, daemon } = await spawnDaemonizing("oneshot", { EXIT_AFTER_PRINT: "1" });
    expect((await child.exited).code).toBe(0);
    await waitFor(() => reaped(daemon), 5000, `daemon ${daemon} killed and reaped`);
  });

  test("an adopted daemon that exits by itself is reaped at once (SIGCHLD), not left a zombie", async () => {
    makeSpawner();
    const { daemon } = await spawnDaemonizing("short", { DAEMON_SECONDS: "0.3" });
    expect(readProcessInfo(daemon)?.ppid).toBe(process.pid);
    await waitFor(() => reaped(daemon), 5000, `daemon ${daemon} to exit and be reaped`);
    expect(notices).toEqual([]); // nothing was killed
  });

  test("grandchildren still in the service's group die with it, are reaped, and are not reported as escapees", async () => {
    makeSpawner();
    let grandchildren: number[] = [];
    const child = spawner.spawn(
      { name: "family", command: fixtureCommand("fork-grandchildren.ts"), cwd, env: { ...env, GRANDCHILDREN: "3", EXIT_AFTER_MS: "300" } },
      (_stream, line) => void (grandchildren = (JSON.parse(line) as { grandchildren: number[] }).grandchildren),
    );
    started.push(child.pid);
    await waitFor(() => grandchildren.length === 3, 10_000, "the grandchildren report");
    started.push(...grandchildren);
    await child.exited;
    await waitFor(() => grandchildren.every(reaped), 5000, "the grandchildren killed and reaped");
    expect(notices).toEqual([]);
  });

  test("a kill-and-respawn (the immediate tier) kills only the old spawn's daemon", async () => {
    makeSpawner();
    const old = await spawnDaemonizing("api");
    old.child.kill();
    const fresh = await spawnDaemonizing("api"); // spawned before the old exit is seen
    await old.child.exited;
    expect(await waitGone([old.daemon], 5000)).toEqual([]);
    expect(isGone(fresh.daemon)).toBe(false);
    expect(readProcessInfo(fresh.daemon)?.marker).toBe(`${spawner.runId}/2/api`);
  });

  test("another service's daemons are spared; an unmarked one that could be either's waits for both to stop", async () => {
    makeSpawner();
    const first = await spawnDaemonizing("first", { CLEAR_ENV: "1" });
    const second = await spawnDaemonizing("second", { CLEAR_ENV: "1" });
    await Bun.sleep(30); // start times count 10 ms ticks: one started in the same tick could be its
    const marked = await spawnDaemonizing("marked"); // started after both daemons: cannot own them
    await second.child.stop("SIGTERM", 5000);
    // second's daemon started while first ran: nothing tells whose it is, so both stay for now.
    expect([first.daemon, second.daemon, marked.daemon].filter(isGone)).toEqual([]);
    await first.child.stop("SIGTERM", 5000);
    expect(await waitGone([first.daemon, second.daemon], 5000)).toEqual([]);
    expect(isGone(marked.daemon)).toBe(false);
    const [notice] = killedNotices("first");
    expect(notice!.message).toContain(`${first.daemon} (sleep)`);
    expect(notice!.message).toContain(`${second.daemon} (sleep)`);
  });

  test("what an exec probe leaves behind dies with its service", async () => {
    makeSpawner();
    const { child } = await spawnDaemonizing("db");
    const probe = createExecProbe({ command: `/bin/sh ${fixturePath("double-fork.sh")}`, cwd, env: spawner.probeEnv("db", { ...env, EXIT_AFTER_PRINT: "1" }) });
    expect((await probe.check(5000)).ok).toBe(true);
    const marker = `${spawner.runId}/probe/db`;
    const leftovers = scanAllProcesses().filter((p) => p.marker === marker).map((p) => p.pid);
    started.push(...leftovers);
    expect(leftovers).toHaveLength(1);
    await child.stop("SIGTERM", 5000);
    expect(await waitGone(leftovers, 5000)).toEqual([]);
  });

  test("close() kills the escapees of spawns still running, marked or not", async () => {
    makeSpawner();
    const marked = await spawnDaemonizing("a");
    const bare = await spawnDaemonizing("b", { CLEAR_ENV: "1" });
    spawner.close();
    expect(await waitGone([marked.daemon, bare.daemon, marked.child.pid, bare.child.pid], 5000)).toEqual([]);
  });
});

describe("BunSpawner: escaped descendants without a subreaper", () => {
  test("marker mode: the daemon is not adopted, and is still found by its marker and killed on stop", async () => {
    makeSpawner({ subreaper: false });
    const { child, daemon } = await spawnDaemonizing("web");
    expect(readProcessInfo(daemon)?.ppid).not.toBe(process.pid);
    await child.stop("SIGTERM", 5000);
    expect(await waitGone([daemon], 5000)).toEqual([]);
    expect(killedNotices("web").map((n) => n.pid)).toEqual([daemon]);
    expect(notices.some((n) => n.kind === "subreaper-unavailable")).toBe(false);
  });

  test("where prctl fails: one warning at the first spawn, then marker catching", async () => {
    makeSpawner({ subreaper: () => "prctl refused by this test" });
    const first = await spawnDaemonizing("one");
    await spawnDaemonizing("two");
    const warnings = notices.filter((n) => n.kind === "subreaper-unavailable");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain("prctl refused by this test");
    expect(warnings[0]!.message).toContain("environment marker only");
    await first.child.stop("SIGTERM", 5000);
    expect(await waitGone([first.daemon], 5000)).toEqual([]);
  });
});

describe("BunSpawner: the marker", () => {
  test("each spawn carries its own ORCHESTRATOR_SERVICE, over any value the caller passed", async () => {
    makeSpawner();
    const lines: string[] = [];
    const child = spawner.spawn({ name: "show", command: `echo "$${MARKER_VAR}"`, cwd, env: { ...env, [MARKER_VAR]: "forged/1/x" } }, (_s, line) => lines.push(line));
    started.push(child.pid);
    await child.exited;
    expect(lines).toEqual([`${spawner.runId}/1/show`]);
  });
});
