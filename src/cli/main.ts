#!/usr/bin/env bun
/**
 * The CLI's entry: parse argv, pick the command, map errors to exit codes (exit-code.ts). The
 * composition root of a running fleet is commands/up.ts (it builds the Fleet and the API).
 * Usage and manifest errors print one clear line and exit 2; never a stack trace.
 */
import pkg from "../../package.json" with { type: "json" };
import { UsageError, parseArgs } from "./args";
import type { CliIo } from "./command";
import { COMMANDS, findCommand } from "./commands";
import { exitCodeFor } from "./exit-code";
import { isTerminal, writeAll } from "./write-all";
import { didYouMean } from "../manifest/suggest";

const GLOBAL_FLAGS = ["help", "version", "config", "no-color"];

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.flags.version) {
      io.stdout(`orchestrator ${pkg.version} (bun ${Bun.version})\n`);
      return 0;
    }
    if (args.positionals.length === 0 && args.flags.help) return printHelp(io);
    const name = args.positionals[0] ?? "up";
    const command = findCommand(name);
    if (!command) {
      if (args.flags.help || name === "help") return printHelp(io, args.positionals[1]);
      throw new UsageError(`unknown command "${name}"${didYouMean(name, COMMANDS.map((c) => c.name))}; see orchestrator --help`);
    }
    if (args.flags.help) return printHelp(io, command.name);
    for (const flag of Object.keys(args.flags)) {
      if (!command.flags.includes(flag) && !GLOBAL_FLAGS.includes(flag))
        throw new UsageError(`${command.name}: unknown option "--${flag}"; usage: ${command.usage}`);
    }
    return await command.run({ positionals: args.positionals.slice(1), flags: args.flags }, io);
  } catch (err) {
    io.stderr(`orchestrator: ${err instanceof Error ? err.message : String(err)}\n`);
    if (io.env.ORCHESTRATOR_DEBUG && !(err instanceof UsageError)) io.stderr(`${(err as Error)?.stack}\n`);
    return exitCodeFor(err);
  }
}

function printHelp(io: CliIo, topic?: string): number {
  const command = topic ? findCommand(topic) : undefined;
  if (command) {
    io.stdout(`${command.summary}\n\nusage: ${command.usage}\n`);
    return 0;
  }
  const width = Math.max(...COMMANDS.map((c) => c.name.length + (c.aliases?.length ? c.aliases.join("|").length + 1 : 0)));
  const lines = COMMANDS.map((c) => `  ${[c.name, ...(c.aliases ?? [])].join("|").padEnd(width)}  ${c.summary}`);
  io.stdout(
    [
      `orchestrator ${pkg.version}: discover, launch, watch and heal a fleet of services`,
      "",
      "usage: orchestrator [command] [-c orchestrator.yaml] [options]",
      "",
      "commands:",
      ...lines,
      "",
      "options:",
      "  -c, --config FILE   manifest (default ./orchestrator.yaml, or $ORCHESTRATOR_CONFIG)",
      "  -h, --help          help for a command: orchestrator COMMAND --help",
      "  -V, --version       print the version",
      "",
      "exit codes: 0 success, 1 runtime failure, 2 usage or manifest error",
      "",
    ].join("\n"),
  );
  return 0;
}

if (import.meta.main) {
  const color = isTerminal(1) && !process.env.NO_COLOR && !process.argv.includes("--no-color");
  // Every byte is in the pipe before we exit: exiting earlier cuts output short when the reader
  // is slower than us (`orchestrator status --json | jq` on a big fleet). See write-all.ts.
  const gone = { stdout: false, stderr: false };
  const stdoutGone = new AbortController();
  const write = (fd: 1 | 2, text: string) => {
    const name = fd === 1 ? "stdout" : "stderr";
    if (gone[name]) return;
    gone[name] = !writeAll(fd, text);
    if (gone.stdout) stdoutGone.abort();
  };
  const io: CliIo = {
    stdout: (t) => write(1, t),
    stderr: (t) => write(2, t),
    color,
    cwd: process.cwd(),
    env: process.env,
    stdoutGone: stdoutGone.signal,
  };
  // Exit as soon as the command returns and its output is written, whatever timers or sockets
  // linger. (No top-level await: the binary is compiled to bytecode, which needs a plain module body.)
  void runCli(process.argv.slice(2), io).then((code) => process.exit(code));
}
