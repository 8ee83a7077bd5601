import { Document, isMap, isScalar } from "yaml";

/** Comments to put above keys of one mapping, addressed by the mapping's path and the key. */
export interface KeyComment {
  path: (string | number)[];
  key: string;
  lines: string[];
}

/**
 * Serialises one document. Keys keep the order the renderer built them in (callers sort
 * anything user-defined), and YAML 1.1 quoting keeps `yes`, `on` and `12:30` strings for
 * the Go YAML readers that Compose and kubectl use.
 */
export function renderYaml(value: unknown, comments: KeyComment[] = []): string {
  const doc = new Document(value, { version: "1.1", aliasDuplicateObjects: false });
  for (const comment of comments) {
    const map = comment.path.length === 0 ? doc.contents : doc.getIn(comment.path, true);
    if (!isMap(map)) continue;
    const pair = map.items.find((item) => isScalar(item.key) && item.key.value === comment.key);
    if (pair && isScalar(pair.key)) pair.key.commentBefore = comment.lines.map((l) => ` ${l}`).join("\n");
  }
  return doc.toString({ lineWidth: 0 });
}

/** Joins documents into one multi-document YAML stream. */
export function joinYamlDocuments(documents: string[]): string {
  return documents.map((d) => `---\n${d}`).join("");
}
