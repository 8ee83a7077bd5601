/** A parsed YAML (or JSON) file that can say where any path in it is. */
import { isMap, isSeq, isScalar, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { findDuplicateKeys } from "./duplicate-keys";
import { type PathSegment, formatPath } from "./issues";
import type { Issue } from "../contract/actions";

export interface Position {
  line: number;
  col: number;
}

export class SourceFile {
  readonly doc: Document;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: false, merge: true, logLevel: "error" });
  }

  /** Syntax errors and duplicate keys, as issues, in file order. */
  parseIssues(): Issue[] {
    const found = [...this.doc.errors.map((err) => ({ offset: err.pos[0], message: err.message.split("\n")[0] })), ...findDuplicateKeys(this.doc)];
    return found
      .sort((a, b) => a.offset - b.offset)
      .map(({ offset, message }) => {
        const { line, col } = this.lines.linePos(offset);
        return { file: this.file, line, col, path: "(syntax)", message, severity: "error" as const };
      });
  }

  /** Position of the value at `path` (or its key, with part "key"); falls back to the nearest ancestor. */
  locate(path: readonly PathSegment[], part: "key" | "value" = "value"): Position {
    let node: unknown = this.doc.contents;
    let best: Position = { line: 1, col: 1 };
    for (let i = 0; i < path.length; i++) {
      const step = findChild(node, path[i]);
      if (!step) return best;
      const last = i === path.length - 1;
      const target = last && part === "key" && step.key ? step.key : step.value ?? step.key;
      best = this.positionOf(target) ?? best;
      node = step.value;
    }
    return path.length === 0 ? this.positionOf(node) ?? best : best;
  }

  issue(path: readonly PathSegment[], message: string, part: "key" | "value" = "value", severity: Issue["severity"] = "error"): Issue {
    const { line, col } = this.locate(path, part);
    return { file: this.file, line, col, path: formatPath(path), message, severity };
  }

  private positionOf(node: unknown): Position | undefined {
    const range = (node as Node | undefined)?.range;
    return range ? this.lines.linePos(range[0]) : undefined;
  }
}

type Child = { key?: unknown; value: unknown };

// Each mapping is indexed by key once, on its first look-up, so placing an issue costs the
// depth of its path, not the size of the mappings on the way (a `services` map of 30,000
// entries scanned once per issue made a manifest with a problem per service quadratic).
// The first of two equal keys wins, as the scan did.
const indexes = new WeakMap<object, Map<string, Child>>();

function findChild(node: unknown, seg: PathSegment): Child | undefined {
  if (isMap(node)) {
    let index = indexes.get(node);
    if (!index) {
      index = new Map();
      for (const pair of node.items) {
        const name = isScalar(pair.key) ? String(pair.key.value ?? "") : String(pair.key);
        if (!index.has(name)) index.set(name, { key: pair.key, value: pair.value });
      }
      indexes.set(node, index);
    }
    return index.get(String(seg));
  }
  if (isSeq(node) && typeof seg === "number") {
    const item = node.items[seg];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}
