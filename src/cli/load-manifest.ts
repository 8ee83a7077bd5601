/** Shared by every command that reads the manifest: load it and print problems the same way. */
import { resolve } from "node:path";
import { flagString } from "./args";
import type { CliIo, ParsedArgs } from "./command";
import type { LoadOptions } from "../manifest/load";
import type { Config } from "../contract/config";
import { makeStyle } from "./style";

export function manifestPath(args: ParsedArgs, io: CliIo): string {
  return resolve(io.cwd, flagString(args, "config") ?? io.env.ORCHESTRATOR_CONFIG ?? "orchestrator.yaml");
}

/** The config, or undefined after printing every problem (the caller exits 2). Warnings are printed too. */
export async function loadOrReport(args: ParsedArgs, io: CliIo, opts: Pick<LoadOptions, "checkCommands" | "checkHost" | "checkPortsFree"> = {}): Promise<Config | undefined> {
  // loaded here, not at the top: the loader (yaml, the TypeBox schemas) is most of what every command would load at start
  const [{ loadConfigSync }, { formatIssue }] = await Promise.all([import("../manifest/load"), import("../manifest/issues")]);
  const { config, issues } = loadConfigSync(manifestPath(args, io), { env: io.env, ...opts });
  const style = makeStyle(io.color);
  for (const issue of issues) {
    const line = formatIssue(issue, io.cwd);
    io.stderr((issue.severity === "error" ? style.red(line) : style.yellow(line)) + "\n");
  }
  if (!config) {
    const errors = issues.filter((i) => i.severity === "error").length;
    io.stderr(`${errors} problem${errors === 1 ? "" : "s"} found; nothing was started\n`);
  }
  return config;
}
