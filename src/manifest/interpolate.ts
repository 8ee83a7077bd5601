/**
 * `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}` (unset), `${VAR:?message}`
 * (required) and `$$` (a literal `$`), applied to every scalar value of the document in place.
 * In a command string (run under `sh -c`) each substituted value, a default included, is
 * shell-quoted for where it sits (shell-quote.ts), so it is one literal word and never code.
 * References (`${self.port}`, `${services.db.port}`) become placeholders here, replaced once
 * the config is resolved (reference-table.ts, references.ts).
 */
import { isMap, isScalar, isSeq, type Scalar } from "yaml";
import { findCommandStrings } from "./command-strings";
import type { PathSegment } from "./issues";
import type { Issue } from "../contract/actions";
import { isReferenceLike, type ReferenceTable, type ShellPosition } from "./reference-table";
import { quoteForShell, ShellScanner } from "./shell-quote";
import type { SourceFile } from "./source";

const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-|:?\?)([^}]*))?\}|\$\{([^}]*)\}/g;

export interface InterpolationResult {
  issues: Issue[];
  /** Dotted paths whose value came (wholly or partly) from a variable: numbers there may be given as strings. */
  interpolated: Set<string>;
  /** Command strings with their values shell-quoted, to be set over the plain result at `path`. */
  commands: { path: PathSegment[]; value: string }[];
}

/** A placeholder for the reference `${body}` (see reference-table.ts), or undefined when it is not one. */
export type ReferenceHook = (body: string, shell: ShellPosition | undefined) => string | undefined;

/**
 * With `onUnquotable`, `text` is a command string: each value is quoted for the shell where
 * it sits (shell-quote.ts), and a value that cannot be is dropped and reported there.
 * With `onReference`, references are left to it; without, they are bad variable references.
 */
export function interpolateText(
  text: string,
  env: Record<string, string | undefined>,
  onProblem: (message: string, severity: Issue["severity"]) => void,
  onUnquotable?: (message: string) => void,
  onReference?: ReferenceHook,
): string {
  const scanner = onUnquotable ? new ShellScanner(text) : undefined;
  return text.replace(PATTERN, (match, name: string | undefined, op: string | undefined, arg: string | undefined, bad: string | undefined, offset: number) => {
    if (match === "$$") return "$";
    if (bad !== undefined && onReference && isReferenceLike(bad)) {
      const shell = scanner?.contextAt(offset);
      scanner?.skipTo(offset + match.length);
      return onReference(bad, shell) ?? match;
    }
    if (bad !== undefined) {
      onProblem(`bad variable reference "${match}": expected \${NAME}, \${NAME:-default} or \${NAME:?message}`, "error");
      return match;
    }
    const value = resolveReference(name!, op, arg, env, onProblem);
    if (!scanner) return value;
    const { context, escaped } = scanner.contextAt(offset);
    scanner.skipTo(offset + match.length);
    const quoted = quoteForShell(value, context, escaped);
    if (quoted.ok) return quoted.text;
    onUnquotable!(`\${${name}} in a command string: its value cannot be quoted safely ${quoted.reason}; use the argv form (command: [...]) or let the shell expand it when it runs ($${name})`);
    return "";
  });
}

function resolveReference(
  name: string,
  op: string | undefined,
  arg: string | undefined,
  env: Record<string, string | undefined>,
  onProblem: (message: string, severity: Issue["severity"]) => void,
): string {
  const value = env[name];
  const unsetOrEmpty = value === undefined || value === "";
  switch (op) {
    case ":-":
      return unsetOrEmpty ? arg! : value!;
    case "-":
      return value === undefined ? arg! : value;
    case ":?":
    case "?":
      if (op === ":?" ? unsetOrEmpty : value === undefined) {
        onProblem(`\${${name}} is required: ${arg || "set it in the environment"}`, "error");
        return "";
      }
      return value!;
    default:
      if (value === undefined) onProblem(`\${${name}} is not set; using an empty string (write \${${name}:-default} to choose one)`, "warning");
      return value ?? "";
  }
}

interface Step {
  node: unknown;
  seg?: PathSegment;
  parent?: Step;
}

// An explicit stack with parent links (not yaml's `visit`, whose per-node ancestor arrays make
// deeply nested input quadratic); a scalar's path is rebuilt only when it holds a `$`.
export function interpolateDocument(source: SourceFile, env: Record<string, string | undefined>, references?: ReferenceTable): InterpolationResult {
  const issues: Issue[] = [];
  const interpolated = new Set<string>();
  const templates = new Map<Scalar, string>();
  // No `$` anywhere, not even as an escape in a double-quoted scalar (`\x24`): nothing to substitute.
  if (!source.text.includes("$") && !source.text.includes("\\")) return { issues, interpolated, commands: [] };
  const stack: Step[] = [{ node: source.doc.contents }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const node = step.node;
    if (isMap(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i].value, seg: keyOf(node.items[i].key), parent: step });
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], seg: i, parent: step });
    } else if (isScalar(node) && typeof node.value === "string" && node.value.includes("$")) {
      const segments = pathTo(step);
      templates.set(node, node.value);
      const report = (message: string, severity: Issue["severity"] = "error") => issues.push(source.issue(segments, message, "value", severity));
      const onReference: ReferenceHook | undefined = references && ((body) => references.place(body, source, segments, undefined, report));
      node.value = interpolateText(node.value, env, report, undefined, onReference);
      interpolated.add(segments.join("."));
    }
  }
  // Command strings again, quoted; the plain pass above already reported unset variables.
  const commands: InterpolationResult["commands"] = [];
  for (const { path, node } of templates.size > 0 ? findCommandStrings(source.doc) : []) {
    const template = templates.get(node);
    if (template === undefined) continue;
    // a reference's problem was reported by the plain pass; here it only gets its place in the shell's reading
    const onReference: ReferenceHook | undefined = references && ((body, shell) => references.place(body, source, path, shell, () => {}));
    const value = interpolateText(template, env, () => {}, (message) => issues.push(source.issue(path, message)), onReference);
    commands.push({ path, value });
  }
  return { issues, interpolated, commands };
}

function keyOf(key: unknown): string {
  return isScalar(key) ? String(key.value ?? "") : String(key);
}

function pathTo(step: Step): PathSegment[] {
  const out: PathSegment[] = [];
  for (let s: Step | undefined = step; s?.seg !== undefined; s = s.parent) out.push(s.seg);
  return out.reverse();
}
