/** A problem found in a manifest or a discovered package.json, with its position. */
import { relative } from "node:path";
import type { Issue } from "../contract/actions";

export type PathSegment = string | number;

/** `services.api.health.endpoints[0]`; a key that is not a plain word is quoted: `services["bad name"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (!/^[\w$@][\w$@./-]*$/.test(seg)) out += `[${JSON.stringify(seg)}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || "(root)";
}

/** `orchestrator.yaml:12:5 services.api.port: expected number, got "eighty"` */
export function formatIssue(issue: Issue, cwd: string): string {
  const file = relative(cwd, issue.file) || issue.file;
  const prefix = issue.severity === "warning" ? "warning: " : "";
  return `${file}:${issue.line}:${issue.col} ${issue.path}: ${prefix}${escapeControls(issue.message)}`;
}

// Names quoted in messages come from the user's file: a newline or an ESC in one must not
// break the one-problem-per-line output or drive the terminal.
function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === "error");
}

/** Sort by file, then position, so output is stable. */
export function sortIssues(issues: Issue[]): Issue[] {
  // Most issues share a file: compare names only when they differ (localeCompare is slow).
  return issues.sort((a, b) => (a.file === b.file ? 0 : a.file.localeCompare(b.file)) || a.line - b.line || a.col - b.col);
}

/** How a value looks in a message: strings quoted, containers named. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
  return String(value);
}
