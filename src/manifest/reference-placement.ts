/**
 * Where references may stand: a service's `command`, `env` and `health` (its `exec`, `http`,
 * `tcp`, `host` and `endpoints`), and `defaults.health` likewise. Anywhere else a reference
 * is a positioned error, reported where it was written; its placeholder goes back to the text
 * as written, so no later message shows one. Runs on the plain document (after YAML anchors
 * and merge keys are expanded), so a reference written under an `x-` anchor is judged where
 * it is used. `x-` keys themselves are ignored, as the orchestrator ignores them.
 */
import { formatPath, type PathSegment } from "./issues";
import type { Issue } from "../contract/actions";
import { REFERENCE_FORMS, type ReferenceTable } from "./reference-table";

export interface Placement {
  issues: Issue[];
  /** Dotted paths of misplaced references: their schema problems would only repeat the error. */
  misplaced: Set<string>;
}

const HEALTH_KEYS = new Set(["exec", "http", "tcp", "host", "endpoints"]);

/** Whether a value at `path` (in the manifest's own coordinates) may hold references. */
export function allowsReferences(path: readonly PathSegment[]): boolean {
  if (path[0] === "services" && path.length >= 3) {
    const key = path[2];
    if (key === "command") return path.length <= 4;
    if (key === "env") return path.length === 4;
    if (key === "health") return isHealthValue(path.slice(3));
    return false;
  }
  return path[0] === "defaults" && path[1] === "health" && isHealthValue(path.slice(2));
}

function isHealthValue(rest: readonly PathSegment[]): boolean {
  return HEALTH_KEYS.has(String(rest[0])) && (rest.length === 1 || (rest[0] === "endpoints" && rest.length === 2));
}

interface Step {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  path: PathSegment[];
}

/** Report every reference outside the allowed places in `js` (the document as plain data) and put its text back. */
export function checkReferencePlacement(js: Record<string, unknown>, table: ReferenceTable): Placement {
  const placement: Placement = { issues: [], misplaced: new Set() };
  if (table.sites.length === 0) return placement;
  // an explicit stack: a deeply nested document must not exhaust the call stack
  const stack: Step[] = Object.keys(js).map((key) => ({ holder: js, key, path: [key] }));
  while (stack.length > 0) {
    const { holder, key, path } = stack.pop()!;
    const value = (holder as Record<string | number, unknown>)[key];
    if (isExtension(path)) continue;
    if (typeof value === "string") {
      if (table.holds(value) && !allowsReferences(path)) misplace(holder, key, path, value, table, placement);
    } else if (Array.isArray(value)) {
      value.forEach((_, i) => stack.push({ holder: value, key: i, path: [...path, i] }));
    } else if (typeof value === "object" && value !== null) {
      for (const inner of Object.keys(value)) stack.push({ holder: value as Record<string, unknown>, key: inner, path: [...path, inner] });
    }
  }
  return placement;
}

function misplace(holder: Step["holder"], key: string | number, path: PathSegment[], value: string, table: ReferenceTable, placement: Placement): void {
  const where = formatPath(path);
  const seen = new Set<string>();
  for (const site of table.sitesIn(value)) {
    const written = formatPath(site.path);
    const message = `${site.text}: a reference (${REFERENCE_FORMS}) works only in a service's command, env and health (exec, http, tcp, host, endpoints)${written === where ? "" : `; this one is used at ${where}`}${hint(path)}`;
    if (seen.has(message)) continue;
    seen.add(message);
    placement.issues.push(site.source.issue(site.path, message));
  }
  (holder as Record<string | number, unknown>)[key] = table.substitute(value, (site) => site.text);
  placement.misplaced.add(where);
}

// shutdown.command runs with the service's environment: PORT is there for the shell to expand.
function hint(path: readonly PathSegment[]): string {
  return path[0] === "services" && path[2] === "shutdown" && path[3] === "command" ? " (shutdown.command runs with the service's environment: write $PORT there)" : "";
}

// `x-` keys at the top level and in a service hold anchors; the orchestrator ignores them.
function isExtension(path: readonly PathSegment[]): boolean {
  const last = path[path.length - 1];
  return typeof last === "string" && last.startsWith("x-") && (path.length === 1 || (path.length === 3 && path[0] === "services"));
}
