/**
 * `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}` (unset), `${VAR:?message}`
 * (required) and `$$` (a literal `$`), applied to every scalar value of the document in place.
 */
import { isScalar, visit, type Document } from "yaml";
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

export function interpolateDocument(source: SourceFile, env: Record<string, string | undefined>): InterpolationResult {
  const issues: Issue[] = [];
  const interpolated = new Set<string>();
  visit(source.doc as Document, {
    Scalar(key, node, path) {
      if (key === "key" || typeof node.value !== "string" || !node.value.includes("$")) return;
      const segments = pathOf(path.slice(1), node);
      node.value = interpolateText(node.value, env, (message, severity) =>
        issues.push(source.issue(segments, message, "value", severity)),
      );
      interpolated.add(segments.join("."));
    },
  });
  return { issues, interpolated };
}

// The visitor gives ancestors (maps, pairs, seqs); rebuild the key path of `node` from them.
function pathOf(ancestors: readonly unknown[], node: unknown): PathSegment[] {
  const out: PathSegment[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i] as { items?: unknown[]; key?: unknown };
    const child = chain[i + 1];
    if (parent && "key" in (parent as object) && "value" in (parent as object)) {
      const k = (parent as { key: unknown }).key;
      out.push(isScalar(k) ? String(k.value) : String(k));
    } else if (Array.isArray(parent?.items) && !isPairList(parent.items)) {
      out.push(parent.items.indexOf(child));
    }
  }
  return out;
}

function isPairList(items: unknown[]): boolean {
  return items.length > 0 && typeof items[0] === "object" && items[0] !== null && "key" in (items[0] as object);
}
