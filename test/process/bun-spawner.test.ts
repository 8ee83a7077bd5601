import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BunSpawner } from "../../src/process/bun-spawner";
import { scanLiveGroups } from "../../src/process/group-kill";
import { TRUNCATED_MARKER, MAX_LINE_LENGTH } from "../../src/process/line-splitter";
import { parseMarker } from "../../src/process/marker";
import type { ChildHandle, SpawnSpec } from "../../src/process/spawner";
import type { StreamName } from "../../src/contract/output";
import { fixtureCommand, fixturePath, isGone, killPids, waitFor, waitGone } from "../helpers/processes";
import { describeSpawnerContract, type ChildScript, type SpawnerHarness } from "./spawner-contract";

const env = process.env as Record<string, string>;
const cwd = import.meta.dir;
const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

function specFor(script: ChildScript): SpawnSpec {
  const base = { name: script.kind, cwd, env };
  switch (script.kind) {
    case "exit":
      return { ...base, command: fixtureCommand("exit-now.ts"), env: { ...env, EXIT_CODE: String(script.code) } };
    case "print-and-exit": {
      const out = script.stdout.map(quote).join(" ");
      const err = script.stderr.map(quote).join(" ");
      return { ...base, command: `printf '%s\\n' ${out}; printf '%s\\n' ${err} >&2; exit ${script.code}` };
    }
    case "die-of-signal":
      return { ...base, command: `kill -s ${script.signal.replace("SIG", "")} $$` };
    case "run":
      return { ...base, command: ["sleep", "30"] };
    case "ignore-sigterm":
      return { ...base, command: fixtureCommand("ignore-sigterm.ts") };
    case "stops-by-command":
      return { ...base, command: ["/bin/sh", fixturePath("print-identity.sh")], env: { ...env, IGNORE_TERM: "1" } };
    case "missing-command":
      return { ...base, command: ["definitely-not-a-command-4711"] };
    case "missing-cwd":
      return { ...base, command: ["true"], cwd: "/nonexistent/orchestrator-test-dir" };
  }
}

function makeBunHarness(): SpawnerHarness {
  const spawner = new BunSpawner();
  const children: ChildHandle[] = [];
  return {
    spawner,
    stopCommands: { ends: 'kill -s USR1 "$MAINPID"', idle: "true" },
    async start(script, onLine = () => {}) {
      let ready = script.kind !== "ignore-sigterm" && script.kind !== "stops-by-command";
      const child = spawner.spawn(specFor(script), (stream, line) => {
        if (line.startsWith("ready")) ready = true;
        onLine(stream, line);
      });
      children.push(child);
      await waitFor(() => ready, 10_000, "the fixture to say ready");
      return child;
    },
    elapse: async () => {},
    async cleanup() {
      for (const child of children) child.kill();
      await Promise.all(children.map((c) => c.exited));
      spawner.close();
    },
  };
}

describeSpawnerContract("BunSpawner", makeBunHarness);

describe("BunSpawner", () => {
  const started: number[] = [];
  let spawner = new BunSpawner();
  afterEach(() => {
    spawner.close();
    spawner = new BunSpawner();
  });
  afterAll(() => {
    spawner.close();
    killPids(started);
  });

  function spawnCollecting(spec: SpawnSpec) {
    const lines: [StreamName, string][] = [];
    const child = spawner.spawn(spec, (stream, line) => lines.push([stream, line]));
    started.push(child.pid);
    return { child, lines };
  }

  async function spawnFamily(extraEnv: Record<string, string> = {}) {
    const { child, lines } = spawnCollecting({
      name: "family",
      command: fixtureCommand("fork-grandchildren.ts"),
      cwd,
      env: { ...env, GRANDCHILDREN: "3", ...extraEnv },
    });
    await waitFor(() => lines.length > 0, 10_000, "the grandchildren report");
    const report = JSON.parse(lines[0][1]) as { pid: number; grandchildren: number[] };
    started.push(...report.grandchildren);
    expect(report.pid).toBe(child.pid);
    expect(report.grandchildren.every((pid) => !isGone(pid))).toBe(true);
    return { child, grandchildren: report.grandchildren };
  }

  test("stop kills the grandchildren with the group", async () => {
    const { child, grandchildren } = await spawnFamily();
    await child.stop("SIGTERM", 5000);
    expect(await waitGone([child.pid, ...grandchildren], 5000)).toEqual([]);
  });

  test("a stop waits for the rest of the group once the leader died of the signal: a wrapper shell does not get its program SIGKILLed mid-shutdown", async () => {
    // the leader (a shell waiting on its program) dies at SIGTERM at once; the program takes 300 ms to shut down
    const program = `trap 'sleep 0.3; echo cleaned up; exit 0' TERM; echo up; while :; do sleep 0.05; done`;
    const { child, lines } = spawnCollecting({ name: "wrapped", command: ["/bin/sh", "-c", `/bin/sh -c ${quote(program)} & wait`], cwd, env });
    await waitFor(() => lines.some(([, line]) => line === "up"), 5000, "the program to run");
    const exit = await child.stop("SIGTERM", 5000);
    expect(exit).toEqual({ code: null, signal: "SIGTERM", reason: "signaled" });
    expect(lines.map(([, line]) => line)).toContain("cleaned up");
  });

  test("... but not past the stop's timeout: then the group is SIGKILLed", async () => {
    const program = `trap '' TERM; echo up; while :; do sleep 0.05; done`;
    const { child, lines } = spawnCollecting({ name: "stubborn", command: ["/bin/sh", "-c", `/bin/sh -c ${quote(program)} & wait`], cwd, env });
    await waitFor(() => lines.some(([, line]) => line === "up"), 5000, "the program to run");
    const pgid = child.pid;
    await child.stop("SIGTERM", 300);
    await waitFor(() => !scanLiveGroups().has(pgid), 5000, "the group to be gone");
  });

  test("grandchildren die when the leader exits by itself; a clean exit names what it left running in its group", async () => {
    const { child, grandchildren } = await spawnFamily({ EXIT_AFTER_MS: "200" });
    const exit = await child.exited;
    expect(exit).toMatchObject({ code: 0, signal: null, reason: "exited" });
    expect(exit.groupLeft?.map((l) => l.pid).sort()).toEqual([...grandchildren].sort());
    expect(await waitGone(grandchildren, 5000)).toEqual([]);
  });

  test("a clean exit that leaves nothing in its group says nothing of it", async () => {
    const { child } = spawnCollecting({ name: "alone", command: ["true"], cwd, env });
    expect(await child.exited).toEqual({ code: 0, signal: null, reason: "exited" });
  });

  test("close() has the watchdog kill every group still running", async () => {
    const { child, grandchildren } = await spawnFamily();
    const watchdog = spawner.watchdogPid;
    expect(watchdog).toBeGreaterThan(0);
    spawner.close();
    expect((await child.exited).signal).toBe("SIGKILL");
    expect(await waitGone([watchdog, ...grandchildren], 5000)).toEqual([]);
  });

  test("env and cwd are exactly as given", async () => {
    const dir = mkdtempSync(join(tmpdir(), "spawner-"));
    try {
      const { child, lines } = spawnCollecting({
        name: "env",
        command: 'echo "$GREETING"; pwd; echo "${HOME:-no home}"',
        cwd: dir,
        env: { GREETING: "hello there", PATH: env.PATH ?? "/usr/bin:/bin" },
      });
      await child.exited;
      expect(lines.map(([, l]) => l)).toEqual(["hello there", dir, "no home"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a stop command runs with the service's environment, its marker and MAINPID", async () => {
    const { child, lines } = spawnCollecting({
      name: "stoppable",
      command: 'trap "" TERM; echo "service $GREETING $ORCHESTRATOR_SERVICE"; while :; do sleep 0.05; done',
      cwd,
      env: { GREETING: "hello", PATH: env.PATH ?? "/usr/bin:/bin" },
    });
    await waitFor(() => lines.length > 0, 10_000, "the service's first line");
    const exit = await child.stop("SIGTERM", 5000, 'echo "stop $GREETING $ORCHESTRATOR_SERVICE $MAINPID"; kill -9 "$MAINPID"');
    expect(exit.signal).toBe("SIGKILL");
    const [, first] = lines[0]!;
    const marker = first.split(" ")[2]!;
    expect(first).toBe(`service hello ${marker}`);
    expect(parseMarker(marker)).toMatchObject({ name: "stoppable" });
    expect(lines.map(([, l]) => l)).toContain(`stop hello ${marker} ${child.pid}`);
  });

  test("a string command runs under sh -c: an unknown command exits 127", async () => {
    const { child, lines } = spawnCollecting({ name: "sh", command: "no-such-cmd-4711", cwd, env });
    expect(await child.exited).toEqual({ code: 127, signal: null, reason: "exited" });
    expect(lines.some(([s, l]) => s === "stderr" && l.includes("no-such-cmd-4711"))).toBe(true);
  });

  test("spawn errors say which of command and cwd was wrong", async () => {
    const noCmd = spawner.spawn({ name: "a", command: ["no-such-cmd-4711"], cwd, env }, () => {});
    const noDir = spawner.spawn({ name: "b", command: ["true"], cwd: "/no/such/dir", env }, () => {});
    const empty = spawner.spawn({ name: "c", command: [], cwd, env }, () => {});
    expect((await noCmd.exited).error).toContain('cannot start "a": command not found: no-such-cmd-4711');
    expect((await noDir.exited).error).toContain('cannot start "b": working directory /no/such/dir does not exist');
    expect((await empty.exited).error).toContain("expected a command");
  });

  test("CRLF output and an over-long line arrive cut and marked", async () => {
    const { child, lines } = spawnCollecting({
      name: "long",
      command: `printf 'dos\\r\\n'; head -c 40000 /dev/zero | tr '\\0' a; printf '\\nafter\\n'`,
      cwd,
      env,
    });
    await child.exited;
    expect(lines.map(([, l]) => l.length)).toEqual([3, MAX_LINE_LENGTH + TRUNCATED_MARKER.length, 5]);
    expect(lines[1][1].endsWith(TRUNCATED_MARKER)).toBe(true);
  });

  test("a flooding child is drained while timers keep firing", async () => {
    let count = 0;
    let ticks = 0;
    const child = spawner.spawn(
      { name: "flood", command: fixtureCommand("flood-stdout.ts"), cwd, env },
      () => void count++,
    );
    started.push(child.pid);
    const interval = setInterval(() => void ticks++, 10);
    try {
      await waitFor(() => ticks >= 5 && count > 10_000, 15_000, "timer ticks during a flood");
    } finally {
      clearInterval(interval);
      child.kill();
    }
    expect((await child.exited).signal).toBe("SIGKILL");
  });
});

describe("BunSpawner orphan watchdog", () => {
  const started: number[] = [];
  afterAll(() => {
    for (const pid of started) {
      if (pid <= 0) continue; // kill(-0) would hit our own process group
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
    }
    killPids(started);
  });

  /** Start spawner-host.ts; `next(predicate)` resolves with the next JSON line it prints that matches. */
  function startHost(extraEnv: Record<string, string>) {
    const host = Bun.spawn(fixtureCommand("spawner-host.ts"), { env: { ...env, ...extraEnv }, stdout: "pipe", stderr: "inherit" });
    started.push(host.pid);
    const reader = host.stdout.getReader();
    const decoder = new TextDecoder();
    let text = "";
    async function next<T>(predicate: (value: Record<string, unknown>) => boolean): Promise<T> {
      for (;;) {
        const newline = text.indexOf("\n");
        if (newline >= 0) {
          const line = text.slice(0, newline);
          text = text.slice(newline + 1);
          const value = JSON.parse(line) as Record<string, unknown>;
          if (predicate(value)) return value as T;
          continue;
        }
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`spawner-host: expected a matching JSON line, got EOF after ${JSON.stringify(text)}`);
        text += decoder.decode(chunk.value, { stream: true });
      }
    }
    return { host, next };
  }

  type Report = { host: number; watchdog: number; pids: number[] };

  test("SIGKILLing the orchestrator takes every service and grandchild with it", async () => {
    const { host, next } = startHost({ SERVICES: "3", GRANDCHILDREN: "3" });
    const report = await next<Report>((v) => "host" in v);
    started.push(report.watchdog, ...report.pids);
    expect(report.pids).toHaveLength(12);
    expect(report.pids.every((pid) => !isGone(pid))).toBe(true);

    process.kill(host.pid, "SIGKILL");
    await host.exited;
    expect(await waitGone([report.watchdog, ...report.pids], 10_000)).toEqual([]);
  });

  test("a killed watchdog is replaced at once; a SIGKILL after that still takes everything, double-forked daemons too", async () => {
    const { host, next } = startHost({ SERVICES: "1", GRANDCHILDREN: "2", DAEMONS: "2" });
    const report = await next<Report>((v) => "host" in v);
    started.push(report.watchdog, ...report.pids);
    expect(report.pids).toHaveLength(7); // 3 leaders, 2 grandchildren, 2 daemons out of every group

    process.kill(report.watchdog, "SIGKILL");
    const { notice } = await next<{ notice: { kind: string; pid: number; message: string } }>((v) => "notice" in v);
    expect(notice.kind).toBe("watchdog-replaced");
    expect(notice.message).toContain(`pid ${report.watchdog}`);
    expect(notice.pid).not.toBe(report.watchdog);
    expect(isGone(notice.pid)).toBe(false);
    started.push(notice.pid);

    process.kill(host.pid, "SIGKILL");
    await host.exited;
    expect(await waitGone([notice.pid, ...report.pids], 10_000)).toEqual([]);
  });
});
