/**
 * `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}` (unset), `${VAR:?message}`
 * (required) and `$$` (a literal `$`), applied to every scalar value of the document in place.
 */
import { isMap, isScalar, isSeq } from "yaml";
import type { Issue, PathSegment } from "./issues";
import type { SourceFile } from "./source";

const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-|:?\?)([^}]*))?\}|\$\{([^}]*)\}/g;

export interface InterpolationResult {
  issues: Issue[];
  /** Dotted paths whose value came (wholly or partly) from a variable: numbers there may be given as strings. */
  interpolated: Set<string>;
}

export function interpolateText(
  text: string,
  env: Record<string, string | undefined>,
  onProblem: (message: string, severity: Issue["severity"]) => void,
): string {
  return text.replace(PATTERN, (match, name: string | undefined, op: string | undefined, arg: string | undefined, bad: string | undefined) => {
    if (match === "$$") return "$";
    if (bad !== undefined) {
      onProblem(`bad variable reference "${match}": expected \${NAME}, \${NAME:-default} or \${NAME:?message}`, "error");
      return match;
    }
    const value = env[name!];
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
  });
}

interface Step {
  node: unknown;
  seg?: PathSegment;
  parent?: Step;
}

// An explicit stack with parent links (not yaml's `visit`, whose per-node ancestor arrays make
// deeply nested input quadratic); a scalar's path is rebuilt only when it holds a `$`.
export function interpolateDocument(source: SourceFile, env: Record<string, string | undefined>): InterpolationResult {
  const issues: Issue[] = [];
  const interpolated = new Set<string>();
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
      node.value = interpolateText(node.value, env, (message, severity) => issues.push(source.issue(segments, message, "value", severity)));
      interpolated.add(segments.join("."));
    }
  }
  return { issues, interpolated };
}

function keyOf(key: unknown): string {
  return isScalar(key) ? String(key.value ?? "") : String(key);
}

function pathTo(step: Step): PathSegment[] {
  const out: PathSegment[] = [];
  for (let s: Step | undefined = step; s?.seg !== undefined; s = s.parent) out.push(s.seg);
  return out.reverse();
}
