import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { flagString, UsageError } from "../args";
import type { CliIo, Command } from "../command";
import { loadOrReport } from "../load-manifest";
import { EXPORT_TARGETS, type ExportFile, type ExportTarget } from "../../export/types";

const USAGE = "orchestrator export compose|kubernetes|systemd [-c FILE] [-o DIR] [--namespace NS] [--user USER] [--install-dir DIR] [--binary PATH]";
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `orchestrator export TARGET`: renders the manifest for another engine, to stdout or into `-o DIR`. */
export const exportCommand: Command = {
  name: "export",
  summary: "write Compose, Kubernetes or systemd files for the fleet",
  usage: USAGE,
  flags: ["config", "output", "namespace", "user", "install-dir", "binary"],
  async run(args, io) {
    const target = parseTarget(args.positionals);
    const namespace = flagString(args, "namespace");
    if (namespace !== undefined && !NAMESPACE.test(namespace)) {
      throw new UsageError(`export: --namespace must be a DNS label (lower-case letters, digits, "-"), got "${namespace}"`);
    }
    if (namespace !== undefined && target !== "kubernetes") throw new UsageError("export: --namespace applies to kubernetes only");
    const installDir = flagString(args, "install-dir");
    const binaryPath = flagString(args, "binary");
    for (const [flag, value] of [["install-dir", installDir], ["binary", binaryPath]] as const) {
      if (value !== undefined && !value.startsWith("/")) throw new UsageError(`export: --${flag} must be an absolute path, got "${value}"`);
    }
    const output = flagString(args, "output");
    const config = await loadOrReport(args, io, { checkCommands: false, checkHost: false });
    if (!config) return 2;
    const { renderExport } = await import("../../export");
    const files = renderExport(target, config, { namespace, user: flagString(args, "user"), installDir, binaryPath });
    if (output === undefined) {
      printFiles(files, io);
      return 0;
    }
    return writeFiles(files, resolve(io.cwd, output), io);
  },
};

function parseTarget(positionals: string[]): ExportTarget {
  const [target, ...extra] = positionals;
  const choices = EXPORT_TARGETS.join(", ");
  if (target === undefined) throw new UsageError(`export: which target? expected one of ${choices}; usage: ${USAGE}`);
  if (!(EXPORT_TARGETS as readonly string[]).includes(target)) {
    throw new UsageError(`export: unknown target "${target}", expected one of ${choices}`);
  }
  if (extra.length > 0) throw new UsageError(`export: unexpected argument "${extra[0]}"; usage: ${USAGE}`);
  return target as ExportTarget;
}

// Without -o everything goes to stdout, each file behind a `---` / `# Source:` separator (as
// `helm template` does), so YAML output can be piped straight to `kubectl apply -f -`.
function printFiles(files: ExportFile[], io: CliIo): void {
  for (const file of files) io.stdout(`---\n# Source: ${file.path}\n${file.content}`);
}

function writeFiles(files: ExportFile[], dir: string, io: CliIo): number {
  try {
    for (const file of files) {
      const path = join(dir, file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
      const shown = relative(io.cwd, path);
      io.stdout(`wrote ${shown.startsWith("..") ? path : shown}\n`);
    }
    return 0;
  } catch (err) {
    io.stderr(`export: cannot write to ${dir}: ${(err as Error).message}\n`);
    return 1;
  }
}
