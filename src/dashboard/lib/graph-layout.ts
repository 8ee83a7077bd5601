/**
 * Lay the dependency graph out by phase: one band per phase, split into columns by depth
 * inside the phase (a phase-0 service that needs another phase-0 service sits to its right),
 * rows ordered by the average row of each node's dependencies to keep edges short.
 */
import type { GraphJson } from "../api/types";

export const NODE_W = 140;
export const NODE_H = 46;
const COL_GAP = 52;
const ROW_GAP = 22;
const PAD = 16;
/** Room for the phase labels above the first row. */
const LABEL_H = 40;
/** How far an edge that skips columns arcs above its end points. */
export function arcLift(span: number): number {
  return span <= 1 ? 0 : 26 + 16 * span;
}

export interface PlacedNode {
  name: string;
  phase: number;
  x: number;
  y: number;
  col: number;
  disabled: boolean;
}

export interface PhaseBand {
  phase: number;
  name: string;
  x: number;
  width: number;
}

export interface GraphLayout {
  nodes: Map<string, PlacedNode>;
  bands: PhaseBand[];
  width: number;
  height: number;
}

export function layoutGraph(graph: GraphJson): GraphLayout {
  const needs = new Map<string, string[]>(graph.nodes.map((n) => [n.name, []]));
  for (const e of graph.edges) needs.get(e.from)?.push(e.to);
  const phaseOf = new Map(graph.nodes.map((n) => [n.name, n.phase]));
  const depth = new Map<string, number>();
  const depthOf = (name: string, seen: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0; // a cycle: stop here
    seen.add(name);
    const same = (needs.get(name) ?? []).filter((d) => phaseOf.get(d) === phaseOf.get(name));
    const d = same.length ? 1 + Math.max(...same.map((x) => depthOf(x, seen))) : 0;
    depth.set(name, d);
    return d;
  };
  for (const n of graph.nodes) depthOf(n.name, new Set());

  const columns = new Map<string, string[]>();
  for (const n of graph.nodes) {
    const key = `${n.phase}:${depth.get(n.name)}`;
    columns.set(key, [...(columns.get(key) ?? []), n.name]);
  }
  const keys = [...columns.keys()].sort((a, b) => {
    const [pa, da] = a.split(":").map(Number);
    const [pb, db] = b.split(":").map(Number);
    return pa - pb || da - db;
  });

  const colOf = new Map<string, number>();
  keys.forEach((key, col) => columns.get(key)!.forEach((name) => colOf.set(name, col)));
  const maxLift = Math.max(0, ...graph.edges.map((e) => arcLift((colOf.get(e.from) ?? 0) - (colOf.get(e.to) ?? 0))));
  const top = LABEL_H + Math.max(0, Math.round(maxLift * 0.75 - NODE_H / 2 - 8));
  const order = new Map(graph.order.map((name, i) => [name, i]));
  const row = new Map<string, number>();
  const nodes = new Map<string, PlacedNode>();
  const bands: PhaseBand[] = [];
  const disabled = new Map(graph.nodes.map((n) => [n.name, n.disabled]));
  let maxRows = 0;
  keys.forEach((key, col) => {
    const phase = Number(key.split(":")[0]);
    const names = columns.get(key)!;
    const score = (name: string) => {
      const rows = (needs.get(name) ?? []).map((d) => row.get(d)).filter((r): r is number => r !== undefined);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : (order.get(name) ?? 0) / 1000;
    };
    names.sort((a, b) => score(a) - score(b) || a.localeCompare(b));
    const x = PAD + col * (NODE_W + COL_GAP);
    names.forEach((name, i) => {
      row.set(name, i);
      nodes.set(name, { name, phase, x, y: top + i * (NODE_H + ROW_GAP), col, disabled: disabled.get(name) ?? false });
    });
    maxRows = Math.max(maxRows, names.length);
    const band = bands[bands.length - 1];
    if (band && band.phase === phase) band.width = x + NODE_W - band.x;
    else bands.push({ phase, name: graph.phases[phase] ?? `phase ${phase}`, x, width: NODE_W });
  });
  return {
    nodes,
    bands,
    width: PAD * 2 + Math.max(1, keys.length) * (NODE_W + COL_GAP) - COL_GAP,
    height: top + Math.max(1, maxRows) * (NODE_H + ROW_GAP) - ROW_GAP + PAD,
  };
}

/** Every service `name` needs (transitively), and every service that needs it. */
export function relatives(graph: GraphJson, name: string): { upstream: Set<string>; downstream: Set<string> } {
  const walk = (start: string, next: (n: string) => string[]) => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length) for (const n of next(stack.pop()!)) if (!seen.has(n)) (seen.add(n), stack.push(n));
    return seen;
  };
  return {
    upstream: walk(name, (n) => graph.edges.filter((e) => e.from === n).map((e) => e.to)),
    downstream: walk(name, (n) => graph.edges.filter((e) => e.to === n).map((e) => e.from)),
  };
}
