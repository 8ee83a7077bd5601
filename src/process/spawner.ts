/** The Spawner port: how the supervisor starts and stops a service's process group. */
import type { Notice } from "../contract/events";
import type { StreamName } from "../contract/output";
import type { RunAs } from "../lib/run-as-tools";

export type { RunAs } from "../lib/run-as-tools";

export interface SpawnSpec {
  name: string;
  /** argv array (exec'd directly) or a string (run under `sh -c`). */
  command: string[] | string;
  cwd: string;
  /** The complete environment of the child (the caller merges orchestrator env, envFile, env, PORT). */
  env: Record<string, string>;
  /** Account (resolved ids), umask, nice and rlimits it starts with; absent: the orchestrator's own. Its stop command runs with the same account. */
  runAs?: RunAs;
  /** A daemon that forks (SPEC §13): supervise the pid it writes to `path`, waited for at most `timeoutMs`. */
  pidFile?: { path: string; timeoutMs: number };
  /**
   * How it announces readiness itself (SPEC §14): `systemd`, sd_notify datagrams on the
   * socket named by NOTIFY_SOCKET (with `watchdogMs`, WATCHDOG_USEC and WATCHDOG_PID too);
   * `fd`, a newline on descriptor `fd` (s6), reported as `READY=1`.
   */
  notify?: { kind: "systemd"; watchdogMs?: number } | { kind: "fd"; fd: number };
}

/** What a service said through its notification channel: sd_notify assignments (`READY: "1"`, `STATUS: "…"`). */
export type NotifyFields = Record<string, string>;

/** How a process ended, as data. `reason` says which of the fields matter. */
export interface Exit {
  code: number | null;
  signal: string | null;
  /** exited: code set; signaled: signal set; spawn-error: never ran (`error` says why). */
  reason: "exited" | "signaled" | "spawn-error";
  error?: string;
  /** What the escape catcher killed when it ended: processes it had left outside its group (a daemon that forked away). */
  leftovers?: Leftover[];
  /** After a clean exit nobody asked for: what was still running in its own group (a daemon caught between its fork and its setsid), SIGKILLed with it. */
  groupLeft?: Leftover[];
}

/** A process a service left behind outside its group, killed when the service ended. */
export interface Leftover {
  pid: number;
  comm: string;
}

export interface ChildHandle {
  /** 0 when the spawn failed. */
  readonly pid: number;
  /** Resolves once, when the process has exited, its whole group has been SIGKILLed and what escaped the group killed. */
  readonly exited: Promise<Exit>;
  /**
   * `signal` to the group, wait up to `timeoutMs`, then SIGKILL the group. Resolves with the exit.
   * With `command` (shutdown.command), that command runs instead of the signal: same account,
   * cwd and environment as the child plus `MAINPID`, its output among the child's lines; if it
   * cannot start or fails while the child still runs, `signal` is sent after all.
   */
  stop(signal: NodeJS.Signals, timeoutMs: number, command?: string): Promise<Exit>;
  /** SIGKILL the whole group now. */
  kill(): void;
  /** Resolves once the process the handle stands for runs (a pidFile daemon: once its pid is known); absent: at once. */
  readonly started?: Promise<void>;
}

/** Something a spawner reports about itself; the app publishes it as a `notice` event. */
export type SpawnerNotice = Omit<Notice, "kind" | "path"> & { kind: Extract<Notice["kind"], "watchdog-replaced" | "subreaper-unavailable" | "descendants-killed" | "daemon-adopted"> };

export interface Spawner {
  /** Never throws for a bad command or cwd: the failure comes back as an Exit with reason `spawn-error`. */
  spawn(spec: SpawnSpec, onLine: (stream: StreamName, line: string) => void, onNotify?: (fields: NotifyFields) => void): ChildHandle;
  /** The environment for an exec probe of service `name`: `env` plus what lets the spawner find the probe's leftovers. */
  probeEnv?(name: string, env: Record<string, string>): Record<string, string>;
  /** Release what the spawner holds (e.g. the orphan watchdog). */
  close?(): void;
}
