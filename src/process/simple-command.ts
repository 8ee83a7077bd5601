/**
 * Most start scripts are one simple command: `PORT=${PORT:-3000} exec node server.js`. Running
 * those under `/bin/sh -c` costs a shell start per start and restart (about 0.3 ms of the
 * orchestrator's own time per spawn at N=200, plus the shell's exec in the child). This
 * module recognises that shape and gives the argv and environment the shell would have
 * exec'd, so the spawner can exec the program directly.
 *
 * Recognised, and nothing else:
 *   [NAME=value ...] [exec] program [word ...]
 * with words made only of `A-Z a-z 0-9 _ . / : , @ % + = -` and the expansions `$NAME`,
 * `${NAME}`, `${NAME:-word}` and `${NAME-word}` (word from the same characters). Anything a
 * shell would treat specially (quotes, backslashes, `; & | < > ( ) { }`, globs, `~`, `#`,
 * newlines, `$(…)`, positional or special parameters, other `${…}` forms), a program word
 * that is a shell builtin or reserved word, or an expansion whose value would be field-split
 * or globbed, returns null: the caller runs the string under `sh -c` as before.
 *
 * What the shell would have done, and this does too:
 *   - assignments are expanded left to right (a later one sees an earlier one), exported to
 *     the program, and not field-split;
 *   - words are expanded with the environment as it was before the assignments;
 *   - an unquoted word that expands to nothing is dropped;
 *   - PWD is the working directory (dash always exports it), and environment entries whose
 *     names are not valid shell names are not passed on (dash drops them);
 *   - argv[0] is the program word as written (`argv0`); the path is looked up in the
 *     environment's PATH relative to the working directory by the spawner.
 * A program that cannot be exec'd (not found, not executable) is the caller's business: it
 * falls back to `sh -c`, so the shell's own message and exit status 127/126 are unchanged.
 */

import type { Subprocess } from "bun";
import { trackChild } from "./own-children";

export interface DirectCommand {
  /** argv to exec, argv[0] as written (the spawner resolves it through env.PATH). */
  argv: string[];
  /** The environment the program would have got from the shell. */
  env: Record<string, string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLAIN = /^[A-Za-z0-9_./:,@%+=-]*$/;
// A word: plain characters and $NAME / ${NAME} / ${NAME:-word} / ${NAME-word}.
const EXPANSION = /\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([A-Za-z0-9_./:,@%+=-]*))?\})/g;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
// Values that a shell would split into fields or expand as a pattern in a command word.
const SPLIT_OR_GLOB = /[ \t\n*?[]/;

/** dash's builtins and the shell's reserved words: these must keep running in a shell. */
const SHELL_WORDS = new Set([
  ".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo", "eval", "exec", "exit",
  "export", "false", "fg", "getopts", "hash", "jobs", "kill", "local", "printf", "pwd", "read", "readonly",
  "return", "set", "shift", "test", "times", "trap", "true", "type", "ulimit", "umask", "unalias", "unset", "wait",
  "!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until", "while",
]);

/**
 * The direct form of `command` run in `cwd` with `env`, or null when it needs a shell.
 * Pure: reads nothing but its arguments.
 */
export function toDirectCommand(command: string, env: Record<string, string | undefined>, cwd: string): DirectCommand | null {
  if (env.IFS !== undefined) return null; // a custom IFS changes field splitting; leave it to the shell
  const tokens = command.split(/[ \t]+/).filter((token) => token !== "");
  const assigned = new Map<string, string>();
  let i = 0;
  for (; i < tokens.length; i++) {
    const match = ASSIGNMENT.exec(tokens[i]!);
    if (!match) break;
    const value = expand(match[2]!, (name) => (assigned.has(name) ? assigned.get(name) : env[name]));
    if (value === null) return null;
    assigned.set(match[1]!, value);
  }
  if (tokens[i] === "exec") i++;
  const program = tokens[i];
  if (program === undefined || !PLAIN.test(program) || SHELL_WORDS.has(program) || program.startsWith("-")) return null;

  const argv = [program];
  for (i++; i < tokens.length; i++) {
    let referencesAssigned = false;
    const value = expand(tokens[i]!, (name) => {
      if (assigned.has(name)) referencesAssigned = true;
      return env[name];
    });
    // `A=1 prog $A` expands $A before the assignment; rare enough to leave to the shell.
    if (value === null || referencesAssigned || SPLIT_OR_GLOB.test(value)) return null;
    if (value === "" && tokens[i]!.includes("$")) continue; // an unquoted empty expansion is no field
    argv.push(value);
  }

  const out: Record<string, string> = {};
  for (const key in env) {
    const value = env[key];
    if (value !== undefined && NAME.test(key)) out[key] = value;
  }
  for (const [name, value] of assigned) out[name] = value;
  if (cwd.startsWith("/")) out.PWD = cwd;
  return { argv, env: out };
}

/**
 * Spawn a command string detached (own process group, stdin ignored) with the given
 * stdout/stderr: exec'd directly when it is a simple command (and `directExec` is not
 * false), else, or when that exec fails, under `/bin/sh -c`. Throws what `Bun.spawn` throws
 * for the shell.
 */
export function spawnCommandString(
  command: string,
  options: { cwd?: string; env?: Record<string, string | undefined>; stdout: number | "ignore"; stderr: number | "pipe"; directExec?: boolean },
): Subprocess<"ignore", "ignore", "pipe" | "ignore"> {
  const { cwd, env, stdout, stderr } = options;
  const spawnOptions = { cwd, env, stdout, stdin: "ignore", stderr, detached: true } as const;
  type Spawned = Subprocess<"ignore", "ignore", "pipe" | "ignore">;
  const direct = options.directExec === false ? null : toDirectCommand(command, env ?? process.env, cwd ?? process.cwd());
  if (direct) {
    try {
      return trackChild(Bun.spawn(direct.argv, { ...spawnOptions, env: direct.env, argv0: direct.argv[0] })) as unknown as Spawned;
    } catch {
      // not exec'able: the shell runs it, so its message and exit status (127/126) stay the shell's
    }
  }
  return trackChild(Bun.spawn(["/bin/sh", "-c", command], spawnOptions)) as unknown as Spawned;
}

/** Expand one word's `$` forms; null when it has anything else a shell would interpret. */
function expand(word: string, lookup: (name: string) => string | undefined): string | null {
  let out = "";
  let last = 0;
  EXPANSION.lastIndex = 0;
  for (let match = EXPANSION.exec(word); match !== null; match = EXPANSION.exec(word)) {
    const literal = word.slice(last, match.index);
    if (!PLAIN.test(literal)) return null;
    out += literal;
    const name = match[1] ?? match[2]!;
    const value = lookup(name);
    const operator = match[3];
    if (operator === ":-") out += value === undefined || value === "" ? match[4]! : value;
    else if (operator === "-") out += value === undefined ? match[4]! : value;
    else out += value ?? "";
    last = EXPANSION.lastIndex;
  }
  const rest = word.slice(last);
  if (!PLAIN.test(rest)) return null;
  return out + rest;
}
