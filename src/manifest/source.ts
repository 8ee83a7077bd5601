/** A parsed YAML (or JSON) file that can say where any path in it is. */
import { isMap, isSeq, isScalar, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { Issue, PathSegment } from "./issues";
import { formatPath } from "./issues";

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
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true, merge: true, logLevel: "error" });
  }

  /** Syntax errors and duplicate keys, as issues. */
  parseIssues(): Issue[] {
    return this.doc.errors.map((err) => {
      const [offset] = err.pos;
      const { line, col } = this.lines.linePos(offset);
      return { file: this.file, line, col, path: "(syntax)", message: err.message.split("\n")[0], severity: "error" as const };
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

function findChild(node: unknown, seg: PathSegment): { key?: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value ?? "") : String(p.key)) === String(seg));
    return pair ? { key: pair.key, value: pair.value } : undefined;
  }
  if (isSeq(node) && typeof seg === "number") {
    const item = node.items[seg];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}
