/** The dependency graph: build it, find what is wrong with it, order it, draw it. */
export { buildGraph, removeDisabled } from "./build-graph.ts";
export { buildLaunchPlan } from "./build-launch-plan.ts";
export { findCycles, formatCycle } from "./find-cycles.ts";
export { findPhaseViolations } from "./find-phase-violations.ts";
export { GraphCycleError } from "./graph-error.ts";
export type { RenderInput } from "./render-input.ts";
export { renderDot } from "./render-dot.ts";
export { renderJson } from "./render-json.ts";
export { renderMermaid } from "./render-mermaid.ts";
export { orderLeniently, topologicalOrder } from "./topological-order.ts";
export { dependenciesOf, dependentsOf } from "./traverse.ts";
export type * from "./types.ts";
