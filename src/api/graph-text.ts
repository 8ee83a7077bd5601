/** `?format=mermaid|dot`: the port serves the graph as JSON; rebuild the Graph the renderers take. */
import { renderDot, renderMermaid, type Graph } from "../graph";
import type { GraphJson } from "../contract/graph-json";

export function renderGraphText(json: GraphJson, format: "mermaid" | "dot"): string {
  const graph: Graph = {
    nodes: json.nodes.map(({ port, ...node }) => (port === null ? node : { ...node, port })),
    edges: json.edges,
    phaseNames: json.phases,
  };
  return format === "mermaid" ? renderMermaid(graph) : renderDot(graph);
}
