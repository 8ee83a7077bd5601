import { resolveView, type RenderInput } from "./render-input.ts";

/**
 * A Graphviz `digraph`: one `subgraph cluster_N` per phase, an arrow from each dependent to
 * its dependency, labelled with the condition unless it is `healthy`. Every name is a quoted
 * DOT id; disabled services are dashed.
 */
export function renderDot(input: RenderInput): string {
  const { graph, phases } = resolveView(input);
  const lines = ["digraph dependencies {", "  rankdir=LR;", "  node [shape=box];"];
  for (const phase of phases) {
    lines.push(`  subgraph cluster_${phase.index} {`, `    label=${quoteDot(phase.name)};`);
    for (const node of phase.nodes) {
      lines.push(`    ${quoteDot(node.name)}${node.disabled ? " [style=dashed, fontcolor=gray50]" : ""};`);
    }
    lines.push("  }");
  }
  for (const edge of graph.edges) {
    const label = edge.condition === "healthy" ? "" : ` [label=${quoteDot(edge.condition)}]`;
    lines.push(`  ${quoteDot(edge.from)} -> ${quoteDot(edge.to)}${label};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

// Inside a DOT quoted string only `"` needs escaping, but a trailing `\` would swallow the
// closing quote, so backslashes are doubled too.
function quoteDot(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}
