/** Is the program a service would run findable? Checks argv[0], or the first word of a shell string. */
import { accessSync, constants } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

const BUILTINS = new Set(["cd", "echo", "exec", "export", "set", "true", "false", ":", "test", "[", "trap", "wait", "sleep", "read", "printf", "eval", ".", "source", "ulimit", "umask", "while", "for", "if", "until", "case", "{", "(", "!"]);

export interface CommandLookup {
  found: boolean;
  word: string;
}

export function findCommand(command: string[] | string, cwd: string, path: string, cache: Map<string, boolean>): CommandLookup {
  const word = Array.isArray(command) ? command[0] ?? "" : firstProgram(command);
  if (!word || word.includes("$") || (!Array.isArray(command) && BUILTINS.has(word))) return { found: true, word };
  const dirs = [join(cwd, "node_modules/.bin"), ...path.split(":").filter(Boolean)];
  const key = word.includes("/") ? resolve(cwd, word) : `${word}\0${dirs.join(":")}`;
  let found = cache.get(key);
  if (found === undefined) {
    found = word.includes("/") ? isExecutable(isAbsolute(word) ? word : resolve(cwd, word)) : dirs.some((d) => isExecutable(join(d, word)));
    cache.set(key, found);
  }
  return { found, word };
}

// Skip leading VAR=value assignments and `exec`/`env`, as the shell would.
function firstProgram(script: string): string {
  const words = script.trim().split(/\s+/);
  for (const w of words) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
    if (w === "exec" || w === "env" || w === "nohup") continue;
    // the word ends where the shell's operators begin: `id;`, `app&&`, `prog>out` name id, app, prog
    return w.split(/[;&|<>()]/, 1)[0]!.replace(/^["']|["']$/g, "");
  }
  return "";
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
