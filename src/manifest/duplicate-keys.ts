/**
 * Duplicate keys of every mapping in a YAML document. The yaml library's own `uniqueKeys`
 * check compares each new key with every earlier key of its mapping, which makes a manifest
 * of n services cost n²/2 comparisons (30,000 services: 450 million); this does one pass
 * with a set per mapping. Keys compare as the library compares them: scalars by value
 * (`1` and `"1"` differ), anything else only with itself.
 */
import { isMap, isPair, isScalar, isSeq, type Document } from "yaml";

export interface DuplicateKey {
  /** Offset of the repeated key in the source text. */
  offset: number;
  message: string;
}

export function findDuplicateKeys(doc: Document): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key)) {
          if (seen.has(key.value) && key.range) found.push({ offset: key.range[0], message: "Map keys must be unique" });
          seen.add(key.value);
        } else stack.push(key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isPair(node)) {
      stack.push(node.key, node.value);
    }
  }
  return found;
}
