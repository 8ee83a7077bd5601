/**
 * One Bun.spawn for every process src/process starts for a service (the service, its exec
 * probes, its stop command): detached (own process group), stdin /dev/null, and, when the
 * service runs as another user or with a umask, nice value or limits, behind the exec chain
 * of run-as.ts. Without those keys nothing is added: the program is exec'd as before.
 */
import type { Subprocess } from "bun";
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { trackChild } from "./own-children";
import { needsChain, wrapArgv, type RunAs } from "./run-as";
import { spawnCommandString, toDirectCommand } from "./simple-command";

export interface LaunchOptions {
  /** argv array (exec'd directly) or a string (a simple command exec'd directly, else `sh -c`). */
  command: string[] | string;
  cwd: string;
  env: Record<string, string>;
  runAs?: RunAs;
  /** A file descriptor (the write end of a pipe, see output-pipes.ts) or "ignore". */
  stdout: number | "ignore";
  /** A file descriptor, or "pipe" (Bun's socketpair, read through `proc.stderr`). */
  stderr: number | "pipe";
  /** Exec simple command strings without `sh -c` (default true). */
  directExec?: boolean;
  /** More descriptors the child gets, by number: `{ 3: writeEnd }` (a notification fd, SPEC §14). */
  extraFds?: Record<number, number>;
  /** Export WATCHDOG_PID as the child's own pid (sd_watchdog_enabled(3) checks it): one `sh` link that execs. */
  exportWatchdogPid?: boolean;
}

/**
 * Start the process. Throws what Bun.spawn throws (ENOENT for a missing program or cwd) and
 * RunAsToolMissingError. With `stderr: "pipe"` the result's `stderr` is a ReadableStream.
 */
export function launch(options: LaunchOptions & { stderr: "pipe" }): Subprocess<"ignore", "ignore", "pipe">;
export function launch(options: LaunchOptions): Subprocess<"ignore", "ignore", "ignore">;
export function launch(options: LaunchOptions): Subprocess<"ignore", "ignore", "pipe" | "ignore"> {
  const { command, cwd, env, stdout, stderr } = options;
  const io = { cwd, stdin: "ignore", stdout, stderr, detached: true, ...withExtraFds(stdout, stderr, options.extraFds) } as const;
  const chained = needsChain(options.runAs);
  // spawnCommandString places fds 0-2 only: extra fds take the path below, which resolves the program the same way
  if (!chained && !options.exportWatchdogPid && !io.stdio) {
    if (typeof command === "string") return spawnCommandString(command, { ...io, env, directExec: options.directExec }) as Subprocess<"ignore", "ignore", "pipe">;
    return trackChild(Bun.spawn(command, { ...io, env })) as Subprocess<"ignore", "ignore", "pipe">;
  }
  const program = toProgram(command, cwd, env, options.directExec ?? true);
  const argv = options.exportWatchdogPid ? ["/bin/sh", "-c", 'export WATCHDOG_PID=$$; exec "$0" "$@"', ...program.argv] : program.argv;
  return trackChild(Bun.spawn(chained ? wrapArgv(argv, options.runAs!) : argv, { ...io, env: program.env })) as Subprocess<"ignore", "ignore", "pipe">;
}

// Bun.spawn's `stdio` array places each entry at its index; the gaps are closed ("ignore" is /dev/null for 0-2 only).
type Stdio = ["ignore", number | "ignore", number | "pipe", ...(number | "ignore")[]];
function withExtraFds(stdout: number | "ignore", stderr: number | "pipe", extra: Record<number, number> | undefined): { stdio?: Stdio } {
  if (!extra || Object.keys(extra).length === 0) return {};
  const stdio: Stdio = ["ignore", stdout, stderr];
  for (const [target, fd] of Object.entries(extra)) {
    while (stdio.length <= Number(target)) stdio.push("ignore");
    stdio[Number(target)] = fd;
  }
  return { stdio };
}

/**
 * What the last link of the chain execs: the program resolved to a path here, as Bun.spawn
 * would have resolved it (the chain's own links would look it up with the service's PATH
 * only). A string that is not a simple command, or whose program is not found, runs under
 * `sh -c` so the shell's message and status stay; a missing argv program throws ENOENT as
 * Bun.spawn does.
 */
function toProgram(command: string[] | string, cwd: string, env: Record<string, string>, directExec: boolean): { argv: string[]; env: Record<string, string> } {
  if (typeof command !== "string") {
    const path = findProgram(command[0]!, cwd, env);
    if (!path || !existsSync(path)) throw Object.assign(new Error(`${command[0]}: not found`), { code: "ENOENT" });
    return { argv: [path, ...command.slice(1)], env };
  }
  const direct = directExec ? toDirectCommand(command, env, cwd) : null;
  const path = direct && findProgram(direct.argv[0]!, cwd, direct.env);
  if (direct && path) return { argv: [path, ...direct.argv.slice(1)], env: direct.env };
  return { argv: ["/bin/sh", "-c", command], env };
}

function findProgram(word: string, cwd: string, env: Record<string, string>): string | null {
  if (word.includes("/")) return isAbsolute(word) ? word : resolve(cwd, word);
  return Bun.which(word, { PATH: env.PATH ?? process.env.PATH ?? "", cwd });
}
