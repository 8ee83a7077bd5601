/**
 * What a service's command runs and which host paths it names, read the way a person would
 * read the command line: the programs (the first word of each simple command, or the word
 * after `exec`/`env`), and the absolute paths among their arguments (`-c /etc/x.conf`,
 * `--config=/etc/x.conf`). Quotes are stripped; `$VAR` words are not paths.
 */
import type { ServiceConfig } from "../contract/config";

export interface CommandWords {
  /** Program words as written (`/usr/lib/postgresql/15/bin/postgres`, `redis-server`). */
  programs: string[];
  /** Absolute paths among the arguments. */
  paths: string[];
}

const SEPARATORS = /&&|\|\||[;|&()]|\bthen\b|\bdo\b|\belse\b/g;
const PREFIXES = new Set(["exec", "env", "nice", "nohup", "time", "!", "command"]);

function unquote(word: string): string {
  return word.replace(/^['"]|['"]$/g, "");
}

function readWords(words: string[], into: CommandWords): void {
  let expectProgram = true;
  for (const raw of words) {
    const word = unquote(raw);
    if (word === "") continue;
    if (expectProgram) {
      if (PREFIXES.has(word) || /^[A-Za-z_]\w*=/.test(word)) continue;
      into.programs.push(word);
      expectProgram = false;
      continue;
    }
    const value = unquote(word.replace(/^--?[\w-]+=/, ""));
    if (value.startsWith("/")) into.paths.push(value);
  }
}

/** The programs and host paths of the service's command (argv or a shell string). */
export function readCommandWords(service: ServiceConfig): CommandWords {
  const found: CommandWords = { programs: [], paths: [] };
  const [first, flag, script] = Array.isArray(service.command) ? service.command : [];
  const text = typeof service.command === "string" ? service.command : /^(ba)?sh$/.test(programName(first ?? "")) && flag === "-c" ? script : undefined;
  if (text !== undefined) for (const segment of text.split(SEPARATORS)) readWords(segment.trim().split(/\s+/), found);
  else readWords(service.command as string[], found);
  return { programs: [...new Set(found.programs)], paths: [...new Set(found.paths)] };
}

/** A program word's file name: `/usr/lib/postgresql/15/bin/postgres` → `postgres`. */
export function programName(word: string): string {
  return word.split("/").pop() ?? word;
}
