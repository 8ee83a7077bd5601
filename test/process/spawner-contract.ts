/** One contract for every Spawner: run by fake-spawner.test.ts and bun-spawner.test.ts. */
import { afterEach, describe, expect, test } from "bun:test";
import type { ChildHandle, Spawner } from "../../src/process/spawner";
import type { StreamName } from "../../src/contract/output";

/** What a child should do, said once; each harness makes its kind of child do it. */
export type ChildScript =
  | { kind: "exit"; code: number }
  | { kind: "print-and-exit"; stdout: string[]; stderr: string[]; code: number }
  | { kind: "die-of-signal"; signal: NodeJS.Signals }
  | { kind: "run" }
  | { kind: "ignore-sigterm" }
  /** Ignores SIGTERM; exits 0 when `stopCommands.ends` runs as its shutdown command. */
  | { kind: "stops-by-command" }
  | { kind: "missing-command" }
  | { kind: "missing-cwd" };

export interface SpawnerHarness {
  spawner: Spawner;
  /** Spawn a child following `script`; resolves once it is running it (e.g. its signal handler is installed). */
  start(script: ChildScript, onLine?: (stream: StreamName, line: string) => void): Promise<ChildHandle>;
  /** Shutdown commands: one that ends a "stops-by-command" child (through MAINPID), one that does nothing. */
  stopCommands: { ends: string; idle: string };
  /** Let `ms` of stop-timeout time pass: a fake clock advances; real time needs nothing. */
  elapse(ms: number): Promise<void>;
  /** Kill whatever is left and close the spawner. */
  cleanup(): Promise<void>;
}

type Line = [StreamName, string];

export function describeSpawnerContract(name: string, makeHarness: () => SpawnerHarness): void {
  describe(`Spawner contract: ${name}`, () => {
    let harness: SpawnerHarness;
    const start = (script: ChildScript, onLine?: (stream: StreamName, line: string) => void) => {
      harness = makeHarness();
      return harness.start(script, onLine);
    };
    afterEach(() => harness?.cleanup());

    test("an exit code comes back as data", async () => {
      const child = await start({ kind: "exit", code: 3 });
      expect(child.pid).toBeGreaterThan(0);
      expect(await child.exited).toEqual({ code: 3, signal: null, reason: "exited" });
    });

    test("a clean exit is code 0", async () => {
      const child = await start({ kind: "exit", code: 0 });
      expect(await child.exited).toEqual({ code: 0, signal: null, reason: "exited" });
    });

    test("death by a signal comes back as data", async () => {
      const child = await start({ kind: "die-of-signal", signal: "SIGUSR1" });
      expect(await child.exited).toEqual({ code: null, signal: "SIGUSR1", reason: "signaled" });
    });

    test("stdout and stderr lines reach the callback, in order, before the exit", async () => {
      const lines: Line[] = [];
      const child = await start(
        { kind: "print-and-exit", stdout: ["one", "two", ""], stderr: ["oops"], code: 2 },
        (stream, line) => lines.push([stream, line]),
      );
      expect((await child.exited).code).toBe(2);
      expect(lines.filter(([s]) => s === "stdout")).toEqual([["stdout", "one"], ["stdout", "two"], ["stdout", ""]]);
      expect(lines.filter(([s]) => s === "stderr")).toEqual([["stderr", "oops"]]);
    });

    test("stop on a child that obeys ends it with that signal", async () => {
      const child = await start({ kind: "run" });
      expect(await child.stop("SIGTERM", 5000)).toEqual({ code: null, signal: "SIGTERM", reason: "signaled" });
      expect(await child.exited).toEqual({ code: null, signal: "SIGTERM", reason: "signaled" });
    });

    test("stop on a child that ignores the signal SIGKILLs it after the timeout", async () => {
      const child = await start({ kind: "ignore-sigterm" });
      const stopping = child.stop("SIGTERM", 300);
      await harness.elapse(300);
      expect(await stopping).toEqual({ code: null, signal: "SIGKILL", reason: "signaled" });
    });

    test("stop with a command ends the child through the command, not the signal", async () => {
      const child = await start({ kind: "stops-by-command" });
      expect(await child.stop("SIGTERM", 5000, harness.stopCommands.ends)).toEqual({ code: 0, signal: null, reason: "exited" });
    });

    test("stop with a command that does not end the child SIGKILLs it after the timeout", async () => {
      const child = await start({ kind: "ignore-sigterm" });
      const stopping = child.stop("SIGTERM", 300, harness.stopCommands.idle);
      await harness.elapse(300);
      expect(await stopping).toEqual({ code: null, signal: "SIGKILL", reason: "signaled" });
    });

    test("stop after the exit returns that exit", async () => {
      const child = await start({ kind: "exit", code: 4 });
      await child.exited;
      expect(await child.stop("SIGTERM", 100)).toEqual({ code: 4, signal: null, reason: "exited" });
    });

    test("kill ends the child with SIGKILL, even one that ignores SIGTERM", async () => {
      const child = await start({ kind: "ignore-sigterm" });
      child.kill();
      expect(await child.exited).toEqual({ code: null, signal: "SIGKILL", reason: "signaled" });
      child.kill(); // a second kill after the exit is harmless
    });

    test("a missing command is a spawn-error exit, not a throw", async () => {
      const child = await start({ kind: "missing-command" });
      expect(child.pid).toBe(0);
      const exit = await child.exited;
      expect(exit.reason).toBe("spawn-error");
      expect(exit.error).toMatch(/not found|no such/i);
      expect(await child.stop("SIGTERM", 100)).toEqual(exit);
    });

    test("a missing working directory is a spawn-error exit, not a throw", async () => {
      const child = await start({ kind: "missing-cwd" });
      const exit = await child.exited;
      expect(exit).toMatchObject({ code: null, signal: null, reason: "spawn-error" });
      expect(exit.error).toBeTruthy();
    });

    test("each spawn gets its own pid", async () => {
      harness = makeHarness();
      const a = await harness.start({ kind: "run" });
      const b = await harness.start({ kind: "run" });
      expect(a.pid).not.toBe(b.pid);
      a.kill();
      b.kill();
      expect((await a.exited).signal).toBe("SIGKILL");
      expect((await b.exited).signal).toBe("SIGKILL");
    });
  });
}
