/**
 * pidFile supervision through the real BunSpawner: a forking daemon (test/fixtures/forking-daemon.ts)
 * is followed from its starter to the pid it writes; its exit, seen from SIGCHLD as its
 * subreaper, is the service's exit; a stop signals its group; nothing of it is left.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BunSpawner } from "../../src/process/bun-spawner";
import { readProcessInfo } from "../../src/process/proc-scan";
import type { ChildHandle, SpawnerNotice } from "../../src/process/spawner";
import { fixtureCommand, isGone, killPids, waitFor, waitGone } from "../helpers/processes";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
let spawner: BunSpawner;
let notices: SpawnerNotice[] = [];
let dir = "";
const started: number[] = [];

afterEach(async () => {
  spawner?.close();
  const pids = started.splice(0);
  killPids(pids);
  await waitGone(pids, 3000);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function spawnDaemon(extra: Record<string, string> = {}, timeoutMs = 10_000, subreaper = true): { child: ChildHandle; pidFile: string; lines: string[] } {
  notices = [];
  spawner = new BunSpawner({ onNotice: (n) => notices.push(n), subreaper });
  dir = mkdtempSync(join(tmpdir(), "pidfile-"));
  const pidFile = join(dir, "legacy.pid");
  const lines: string[] = [];
  const child = spawner.spawn(
    { name: "legacy", command: fixtureCommand("forking-daemon.ts"), cwd: dir, env: { ...env, PID_FILE: pidFile, ...extra }, pidFile: { path: pidFile, timeoutMs } },
    (_stream, line) => lines.push(line),
  );
  started.push(child.pid);
  return { child, pidFile, lines };
}

/** Resolves with the daemon's pid once the handle follows it. */
async function adopted(child: ChildHandle): Promise<number> {
  const starter = child.pid;
  await waitFor(() => child.pid !== starter, 10_000, "the daemon's pid to be taken from its pidFile");
  started.push(child.pid);
  return child.pid;
}

describe("pidFile: a forking daemon supervised by the pid it writes", () => {
  test("the handle becomes the daemon (reparented to us, outside the starter's group), says so, and a stop signals its group", async () => {
    const { child, pidFile, lines } = spawnDaemon({ STOP_DELAY_MS: "100" });
    const starter = child.pid;
    const daemon = await adopted(child);
    const info = readProcessInfo(daemon)!;
    expect(info.pgid).not.toBe(starter);
    await waitFor(() => isGone(starter), 5000, "the starter to exit");
    await waitFor(() => readProcessInfo(daemon)?.ppid === process.pid, 5000, "the daemon to be reparented to this subreaper");
    await Bun.sleep(200); // the starter's end swept what its spawn left: the daemon must not be among it
    expect(isGone(daemon)).toBe(false);
    expect(lines).toContain(`starter ${starter}: daemon started`);
    const comm = (await Bun.file(`/proc/${daemon}/comm`).text()).trim();
    expect(notices.filter((n) => n.kind === "daemon-adopted")).toEqual([
      { kind: "daemon-adopted", level: "info", pid: daemon, service: "legacy", message: `legacy: supervising pid ${daemon} (${comm}) from its pidFile ${pidFile}; its starter was pid ${starter}` },
    ]);
    expect(notices.filter((n) => n.kind === "descendants-killed")).toEqual([]);

    const exit = await child.stop("SIGTERM", 5000);
    expect(exit).toEqual({ code: 0, signal: null, reason: "exited" }); // its own status, read by waitpid
    expect(existsSync(pidFile)).toBe(false); // it shut down by its SIGTERM handler, not a SIGKILL
    expect(existsSync(`/proc/${daemon}`)).toBe(false); // reaped, not a zombie
  });

  test("a daemon that never left its starter's group outlives the starter's exit, and a stop signals that group", async () => {
    const { child, pidFile } = spawnDaemon({ NO_SETSID: "1", STOP_DELAY_MS: "100" });
    const starter = child.pid;
    const daemon = await adopted(child);
    expect(readProcessInfo(daemon)?.pgid).toBe(starter);
    await waitFor(() => isGone(starter), 5000, "the starter to exit");
    await Bun.sleep(200);
    expect(isGone(daemon)).toBe(false); // its group was not SIGKILLed when the starter exited
    expect(await child.stop("SIGTERM", 5000)).toEqual({ code: 0, signal: null, reason: "exited" });
    expect(existsSync(pidFile)).toBe(false);
  });

  test("a daemon that dies by itself ends the service with its own exit code", async () => {
    const { child } = spawnDaemon({ EXIT_AFTER_MS: "700", EXIT_CODE: "3" });
    await adopted(child);
    expect(await child.exited).toEqual({ code: 3, signal: null, reason: "exited" });
  });

  test("kill -9 of the daemon is its exit, by SIGKILL", async () => {
    const { child } = spawnDaemon({ WAIT: "1" });
    const daemon = await adopted(child);
    process.kill(daemon, "SIGKILL");
    expect(await child.exited).toEqual({ code: null, signal: "SIGKILL", reason: "signaled" });
  });

  test("a starter that waits for its daemon (like pg_ctl start -w) and a daemon that writes late: followed all the same; kill ends it", async () => {
    const { child } = spawnDaemon({ WAIT: "1", PID_FILE_DELAY_MS: "300" });
    const daemon = await adopted(child);
    child.kill();
    const exit = await child.exited;
    expect(exit.signal).toBe("SIGKILL");
    expect(await waitGone([daemon], 5000)).toEqual([]);
  });

  test("no pid within the timeout: a spawn error that says where it looked; the daemon it forked is killed", async () => {
    const { child } = spawnDaemon({ PID_FILE_DELAY_MS: "60000" }, 700);
    const exit = await child.exited;
    expect(exit.reason).toBe("spawn-error");
    expect(exit.error).toMatch(/^no pid in its pidFile \/.+\/legacy\.pid within 700ms; its starter exited with code 0$/);
    expect(exit.leftovers?.map((l) => l.comm)).toHaveLength(1); // the daemon, caught by its marker
    expect(await waitGone(exit.leftovers!.map((l) => l.pid), 5000)).toEqual([]);
  });

  test("a pid file left from an earlier run (an older process) is not taken for the daemon", async () => {
    notices = [];
    dir = mkdtempSync(join(tmpdir(), "pidfile-"));
    const pidFile = join(dir, "legacy.pid");
    writeFileSync(pidFile, `${process.pid}\n`); // alive, but started long before the service
    spawner = new BunSpawner({ onNotice: (n) => notices.push(n) });
    const child = spawner.spawn(
      { name: "legacy", command: fixtureCommand("forking-daemon.ts"), cwd: dir, env: { ...env, PID_FILE: pidFile, PID_FILE_DELAY_MS: "300" }, pidFile: { path: pidFile, timeoutMs: 10_000 } },
      () => {},
    );
    started.push(child.pid);
    const daemon = await adopted(child);
    expect(daemon).not.toBe(process.pid);
    await child.stop("SIGTERM", 5000);
  });

  test("without the subreaper the daemon is not our child: its end is seen from /proc within a second, its status unknown", async () => {
    const { child } = spawnDaemon({ EXIT_AFTER_MS: "500", EXIT_CODE: "3" }, 10_000, false);
    const daemon = await adopted(child);
    expect(readProcessInfo(daemon)?.ppid).not.toBe(process.pid);
    const exit = await child.exited;
    expect(exit).toEqual({ code: null, signal: null, reason: "exited", error: `daemon pid ${daemon} is gone; not a child of the orchestrator, so its exit status is unknown` });
  });

  test("a foreground program that writes its own pid (postgres does): started once the file names it, its exit is the service's, a stop signals it", async () => {
    notices = [];
    spawner = new BunSpawner({ onNotice: (n) => notices.push(n) });
    dir = mkdtempSync(join(tmpdir(), "pidfile-"));
    const pidFile = join(dir, "self.pid");
    let started_ = false;
    const child = spawner.spawn(
      { name: "self", command: ["sh", "-c", `sleep 0.3; echo $$ > ${pidFile}; exec sleep 30`], cwd: dir, env, pidFile: { path: pidFile, timeoutMs: 1000 } },
      () => {},
    );
    started.push(child.pid);
    const starter = child.pid;
    void child.started?.then(() => (started_ = true));
    expect(started_).toBe(false);
    await waitFor(() => started_, 5000, "the service to count as started once its pid file names it");
    await Bun.sleep(1200); // past timeoutMs: no "no pid in its pidFile" spawn error
    expect(child.pid).toBe(starter);
    expect(isGone(starter)).toBe(false);
    expect(notices.filter((n) => n.kind === "daemon-adopted")).toEqual([]);
    const exit = await child.stop("SIGTERM", 5000);
    expect(exit).toEqual({ code: null, signal: "SIGTERM", reason: "signaled" });
  });
});
