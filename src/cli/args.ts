/** argv → {command, positionals, flags}. Short aliases are expanded; unknown flags are the command's to reject. */
import { OrchestratorError } from "../contract/errors";
import type { ParsedArgs } from "./command";

const SHORT: Record<string, string> = { c: "config", o: "output", f: "follow", n: "lines", h: "help", V: "version" };
/** Flags that never take a value. */
const BOOLEAN = new Set(["help", "version", "follow", "json", "no-color", "wait"]);

/** A command line the CLI cannot run (400); it exits 2. */
export class UsageError extends OrchestratorError {
  override readonly code = "USAGE";
  override readonly status = 400;
  override readonly name = "UsageError";
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags: ParsedArgs["flags"] = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const body = long ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf("=");
    const rawName = eq >= 0 ? body.slice(0, eq) : body;
    const name = long ? rawName : SHORT[rawName];
    if (!name) throw new UsageError(`unknown option "${arg}"`);
    if (eq >= 0) flags[name] = body.slice(eq + 1);
    else if (BOOLEAN.has(name)) flags[name] = true;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("-")) flags[name] = argv[++i];
    else flags[name] = true; // the command rejects it if it is unknown or needs a value
  }
  return { positionals, flags };
}

/** A flag's value; a flag that needs a value but was given none is a usage error. */
export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  if (v === true) throw new UsageError(`option "--${name}" needs a value`);
  return typeof v === "string" ? v : undefined;
}
