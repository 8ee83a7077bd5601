/**
 * Where command strings are in a manifest: `services.NAME.command` (when a string, run under
 * `sh -c`), `services.NAME.health.exec`, `services.NAME.shutdown.command` and `defaults.health.exec`. Found on the YAML nodes,
 * through aliases and `<<` merge keys as `toJS` resolves them (own keys win, then merge
 * sources in order), so a command written once under an anchor is found wherever it is used.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Scalar } from "yaml";
import type { PathSegment } from "./issues";

export interface CommandString {
  path: PathSegment[];
  node: Scalar;
}

export function findCommandStrings(doc: Document): CommandString[] {
  const found: CommandString[] = [];
  const push = (node: unknown, path: PathSegment[]) => {
    const scalar = resolve(doc, node);
    if (isScalar(scalar) && typeof scalar.value === "string") found.push({ path, node: scalar });
  };
  const top = entriesOf(doc, doc.contents);
  for (const [name, service] of entriesOf(doc, top.get("services"))) {
    const entries = entriesOf(doc, service);
    push(entries.get("command"), ["services", name, "command"]);
    push(entriesOf(doc, entries.get("health")).get("exec"), ["services", name, "health", "exec"]);
    push(entriesOf(doc, entries.get("shutdown")).get("command"), ["services", name, "shutdown", "command"]);
  }
  push(entriesOf(doc, entriesOf(doc, top.get("defaults")).get("health")).get("exec"), ["defaults", "health", "exec"]);
  return found;
}

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  return key.value === "<<" || (typeof key.value === "symbol" && key.value.description === "<<");
}

// The keys of a mapping as toJS sees them. `depth` bounds a chain of merges (and an alias loop).
function entriesOf(doc: Document, node: unknown, depth = 0): Map<string, unknown> {
  const entries = new Map<string, unknown>();
  const map = resolve(doc, node);
  if (!isMap(map) || depth > 32) return entries;
  const merged: unknown[] = [];
  for (const pair of map.items) {
    if (isMergeKey(pair.key)) {
      const source = resolve(doc, pair.value);
      merged.push(...(isSeq(source) ? source.items : [source]));
    } else entries.set(isScalar(pair.key) ? String(pair.key.value ?? "") : String(pair.key), pair.value);
  }
  for (const source of merged) {
    for (const [key, value] of entriesOf(doc, source, depth + 1)) if (!entries.has(key)) entries.set(key, value);
  }
  return entries;
}
