import { OrchestratorError } from "../contract/errors";
import { formatCycle } from "./find-cycles.ts";

/** The dependency graph has at least one cycle, so no launch order exists. */
export class GraphCycleError extends OrchestratorError {
  override readonly code = "GRAPH_CYCLE";
  override readonly status = 422;
  override readonly name = "GraphCycleError";

  constructor(readonly cycles: string[][]) {
    const listed = cycles.map(formatCycle).join("; ");
    super(`expected an acyclic dependency graph, found ${cycles.length} cycle(s): ${listed}`);
  }
}
