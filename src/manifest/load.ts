/**
 * The manifest pipeline: read → interpolate (references become placeholders) → check against
 * the schema → discover → merge → resolve defaults → resolve references → validate. Every problem is collected as a positioned Issue;
 * nothing here throws for bad input or exits the process.
 */
import { statSync } from "node:fs";
import { relative, resolve } from "node:path";
import { ManifestSchema, PackageFieldSchema, type RawManifest, type RawService } from "./schema";
import { checkSchema, type CheckContext } from "./check-schema";
import { discoverServices } from "./discover";
import { interpolateDocument } from "./interpolate";
import { formatPath, hasErrors, sortIssues } from "./issues";
import type { Issue } from "../contract/actions";
import { mergeServices } from "./merge";
import { checkReferencePlacement } from "./reference-placement";
import { ReferenceTable } from "./reference-table";
import { resolveReferences } from "./references";
import { describeTooLarge, MANIFEST_LIMIT_BYTES, readBounded } from "./read-bounded";
import { resolveConfig } from "./resolve";
import { SourceFile } from "./source";
import type { Config } from "../contract/config";
import { validateConfig } from "./validate";

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** Look up every service's program on PATH (default true). */
  checkCommands?: boolean;
  /** Check users, groups, limits and nice values against this host (default true); `export` says false: the fleet runs elsewhere. */
  checkHost?: boolean;
  /** Warn about service ports something already listens on (default false; `check` asks). */
  checkPortsFree?: boolean;
}

export interface LoadResult {
  /** Present when there are no errors (warnings allowed). */
  config?: Config;
  issues: Issue[];
}

export function loadConfigSync(file: string, options: LoadOptions = {}): LoadResult {
  const path = resolve(file);
  const read = readBounded(path, MANIFEST_LIMIT_BYTES);
  if (!read.ok) {
    const why = read.tooLarge ? `manifest too large: ${describeTooLarge(MANIFEST_LIMIT_BYTES, read.size, read.exact)}` : `cannot read manifest: ${read.message}`;
    return { issues: [{ file: path, line: 1, col: 1, path: "(file)", message: why, severity: "error" }] };
  }
  try {
    return loadText(path, read.text, options);
  } catch (err) {
    // A bug, not bad input: still a positioned message, never a stack trace for the user.
    const message = `internal error while loading (please report): ${(err as Error).message}`;
    return { issues: [{ file: path, line: 1, col: 1, path: "(root)", message, severity: "error" }] };
  }
}

export function loadText(path: string, text: string, options: LoadOptions = {}): LoadResult {
  const env = options.env ?? process.env;
  const source = new SourceFile(path, text);
  const syntax = source.parseIssues();
  if (syntax.length > 0) return { issues: syntax };

  const references = new ReferenceTable();
  const interpolation = interpolateDocument(source, env, references);
  const issues: Issue[] = [...interpolation.issues];
  const ctx: CheckContext = { problems: [], interpolated: interpolation.interpolated, isReference: (value) => references.whole(value) !== undefined };
  let js: unknown;
  try {
    js = source.doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // The yaml library refuses alias bombs ("billion laughs") by throwing.
    issues.push(source.issue([], `cannot expand the document: ${(err as Error).message}`));
    return { issues };
  }
  if (js === null || js === undefined || typeof js !== "object" || Array.isArray(js)) {
    issues.push(source.issue([], `expected a mapping with at least \`version: 1\`, got ${js === null || js === undefined ? "an empty document" : "something else"}`));
    return { issues };
  }
  for (const { path, value } of interpolation.commands) setAt(js, path, value);
  const placement = checkReferencePlacement(js as Record<string, unknown>, references);
  issues.push(...placement.issues);
  const raw = checkSchema(ManifestSchema, js, [], ctx) as RawManifest;
  // A value whose interpolation already failed (`${VAR:?}`, a misplaced reference) is not reported a second time for its type.
  const failed = new Set([...interpolation.issues.filter((i) => i.severity === "error").map((i) => i.path), ...placement.misplaced]);
  issues.push(...ctx.problems.filter((p) => !failed.has(formatPath(p.path))).map((p) => source.issue(p.path, p.message, p.part)));

  const dir = resolve(path, "..");
  const roots = (raw.discovery?.roots ?? ["services"]).map((r) => resolve(dir, r));
  (raw.discovery?.roots ?? []).forEach((r, i) => {
    if (!isDir(resolve(dir, r))) issues.push(source.issue(["discovery", "roots", i], `discovery root "${r}" does not exist`));
  });
  const discovery = discoverServices(roots, raw.discovery?.ignore ?? []);
  issues.push(...discovery.issues);
  const fields = new Map<string, Partial<RawService>>();
  for (const d of discovery.services) {
    if (d.field === undefined) continue;
    const fieldCtx: CheckContext = { problems: [], interpolated: new Set() };
    fields.set(d.name, checkSchema(PackageFieldSchema, d.field, ["orchestrator"], fieldCtx) as Partial<RawService>);
    issues.push(...fieldCtx.problems.map((p) => d.source().issue(p.path, p.message, p.part)));
  }
  issues.push(...duplicateDiscoveries(discovery.services, dir));

  const drafts = mergeServices(discovery.services, fields, raw.services ?? {}, source);
  const config = resolveConfig(path, raw, drafts);
  issues.push(...resolveReferences(config, references));
  const drafted = new Map(drafts.map((d) => [d.name, d]));
  issues.push(...validateConfig({ config, drafts: drafted, env, checkCommands: options.checkCommands ?? true, checkHost: options.checkHost ?? true, manifest: source, logs: raw.logs, checkPortsFree: options.checkPortsFree }));
  sortIssues(issues);
  return hasErrors(issues) ? { issues } : { config, issues };
}

function duplicateDiscoveries(services: { name: string; packageJson: string; source(): SourceFile }[], dir: string): Issue[] {
  const seen = new Map<string, string>();
  const issues: Issue[] = [];
  for (const s of services) {
    const first = seen.get(s.name);
    if (first) issues.push(s.source().issue(["name"], `service name "${s.name}" is also used by ${first}`));
    else seen.set(s.name, relative(dir, s.packageJson));
  }
  return issues;
}

// Where the plain value is (a shared alias object is set once for every place it is used).
function setAt(root: unknown, path: readonly (string | number)[], value: string): void {
  let node = root;
  for (const seg of path.slice(0, -1)) {
    node = typeof node === "object" && node !== null && Object.hasOwn(node, seg) ? (node as Record<string, unknown>)[seg] : undefined;
  }
  const last = path[path.length - 1];
  if (typeof node === "object" && node !== null && !Array.isArray(node) && typeof (node as Record<string, unknown>)[last] === "string")
    (node as Record<string, unknown>)[last] = value;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
