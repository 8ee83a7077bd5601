/**
 * Discovery: every ROOT/<folder>/package.json is a service. Files are read with JSON.parse;
 * the position-aware parse happens only for a file that has something to report.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { PackageManager } from "../contract/config";
import type { PathSegment } from "./issues";
import type { Issue } from "../contract/actions";
import { SourceFile } from "./source";
import { findJsonError, positionAt } from "./json-error";
import { describeTooLarge, PACKAGE_JSON_LIMIT_BYTES, readBounded } from "./read-bounded";

export interface DiscoveredService {
  name: string;
  dir: string;
  packageJson: string;
  script?: string;
  packageManager: PackageManager;
  port?: number;
  /** Where the port came from, for positions in messages. */
  portPath?: PathSegment[];
  /** The raw `orchestrator` field (checked against PackageFieldSchema by the loader). */
  field?: unknown;
  /** `dependencies` keys, scope stripped (edges only when they name another discovered service). */
  packageDependencies: string[];
  /** Lazily parsed source, for positions. */
  source(): SourceFile;
}

export interface DiscoveryResult {
  services: DiscoveredService[];
  issues: Issue[];
}

export function stripScope(name: string): string {
  return name.startsWith("@") && name.includes("/") ? name.slice(name.indexOf("/") + 1) : name;
}

/** `roots` are absolute; a root named in the manifest that does not exist is reported by the caller. */
export function discoverServices(roots: string[], ignore: string[]): DiscoveryResult {
  const services: DiscoveredService[] = [];
  const issues: Issue[] = [];
  const ignored = ignore.map(globToRegExp);
  for (const root of roots) {
    if (!existsSync(root)) continue;
    const rootManager = detectPackageManager(root, undefined);
    // Sorted, so which of two same-named packages counts as "first" does not depend on the filesystem.
    const entries = readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith(".") || entry.name === "node_modules") continue;
      if (ignored.some((re) => re.test(entry.name))) continue;
      const file = join(root, entry.name, "package.json");
      if (!existsSync(file)) continue;
      const found = readPackage(file, join(root, entry.name), rootManager, issues);
      if (found && !ignored.some((re) => re.test(found.name))) services.push(found);
    }
  }
  return { services, issues };
}

function readPackage(file: string, dir: string, rootManager: PackageManager | undefined, issues: Issue[]): DiscoveredService | undefined {
  const read = readBounded(file, PACKAGE_JSON_LIMIT_BYTES);
  if (!read.ok) {
    const why = read.tooLarge ? `package.json too large: ${describeTooLarge(PACKAGE_JSON_LIMIT_BYTES, read.size, read.exact)}` : `cannot read package.json: ${read.code}`;
    issues.push({ file, line: 1, col: 1, path: "(file)", message: why, severity: "error" });
    return undefined;
  }
  const text = read.text;
  let source: SourceFile | undefined;
  const getSource = () => (source ??= new SourceFile(file, text));
  let pkg: Record<string, any>;
  try {
    pkg = JSON.parse(text);
  } catch (err) {
    const located = findJsonError(text);
    const { line, col } = located ? positionAt(text, located.offset) : { line: 1, col: 1 };
    issues.push({ file, line, col, path: "(syntax)", message: `invalid JSON: ${located?.message ?? (err as Error).message}`, severity: "error" });
    return undefined;
  }
  if (typeof pkg !== "object" || pkg === null || Array.isArray(pkg)) {
    issues.push({ file, line: 1, col: 1, path: "(root)", message: "expected a JSON object", severity: "error" });
    return undefined;
  }
  const name = stripScope(typeof pkg.name === "string" && pkg.name ? pkg.name : dir.split("/").pop()!);
  const script = typeof pkg.scripts?.start === "string" ? pkg.scripts.start : undefined;
  const field = pkg.orchestrator;
  const { port, portPath } = findPort(pkg, script);
  return {
    name,
    dir,
    packageJson: file,
    script,
    packageManager: detectPackageManager(dir, pkg.packageManager) ?? rootManager ?? "bun",
    port,
    portPath,
    field,
    packageDependencies: Object.keys(isObject(pkg.dependencies) ? pkg.dependencies : {}).map(stripScope),
    source: getSource,
  };
}

// orchestrator.port, else config.port, else PORT=NNNN (or PORT=${PORT:-NNNN}) in the start script.
function findPort(pkg: Record<string, any>, script?: string): { port?: number; portPath?: PathSegment[] } {
  if (isObject(pkg.orchestrator) && pkg.orchestrator.port !== undefined) return { portPath: ["orchestrator", "port"] };
  if (isObject(pkg.config) && typeof pkg.config.port === "number") return { port: pkg.config.port, portPath: ["config", "port"] };
  if (isObject(pkg.config) && typeof pkg.config.port === "string" && /^\d+$/.test(pkg.config.port))
    return { port: Number(pkg.config.port), portPath: ["config", "port"] };
  const match = script && /(?:^|[\s;&])PORT=(?:\$\{PORT:?-)?(\d{1,5})\b/.exec(script);
  return match ? { port: Number(match[1]), portPath: ["scripts", "start"] } : {};
}

const LOCKFILES: [string, PackageManager][] = [
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["package-lock.json", "npm"],
];

function detectPackageManager(dir: string, declared: unknown): PackageManager | undefined {
  if (typeof declared === "string") {
    const name = declared.split("@")[0];
    if (name === "bun" || name === "npm" || name === "pnpm" || name === "yarn") return name;
  }
  for (const [lock, manager] of LOCKFILES) if (existsSync(join(dir, lock))) return manager;
  return undefined;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
