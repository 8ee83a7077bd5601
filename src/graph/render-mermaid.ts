import { resolveView, type RenderInput } from "./render-input.ts";

/**
 * A mermaid `flowchart LR`: one subgraph per phase, an arrow from each dependent to its
 * dependency, labelled with the condition unless it is `healthy`. Node ids are sanitised
 * names (`svc_` + letters, digits, `_`); the real name is the quoted label.
 */
export function renderMermaid(input: RenderInput): string {
  const { graph, phases } = resolveView(input);
  const ids = assignMermaidIds(graph.nodes.map((node) => node.name));
  const lines = ["flowchart LR"];
  for (const phase of phases) {
    lines.push(`  subgraph phase_${phase.index}["${escapeMermaid(phase.name)}"]`);
    for (const node of phase.nodes) lines.push(`    ${ids.get(node.name)}["${escapeMermaid(node.name)}"]`);
    lines.push("  end");
  }
  for (const edge of graph.edges) {
    const arrow = edge.condition === "healthy" ? "-->" : `-->|${edge.condition}|`;
    lines.push(`  ${ids.get(edge.from)} ${arrow} ${ids.get(edge.to)}`);
  }
  const disabled = graph.nodes.filter((node) => node.disabled).map((node) => ids.get(node.name));
  if (disabled.length > 0) {
    lines.push("  classDef disabled stroke-dasharray: 5 5,opacity:0.5");
    lines.push(`  class ${disabled.join(",")} disabled`);
  }
  return `${lines.join("\n")}\n`;
}

// The prefix keeps ids clear of mermaid keywords (`end`) and of `o`/`x` edge markers; a
// numeric suffix separates names that sanitise alike (`a-b`, `a.b`).
function assignMermaidIds(names: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of names) {
    const base = `svc_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
    let id = base;
    for (let suffix = 2; taken.has(id); suffix++) id = `${base}_${suffix}`;
    taken.add(id);
    ids.set(name, id);
  }
  return ids;
}

// Mermaid has no backslash escapes inside quotes; it uses `#name;` entity codes instead.
function escapeMermaid(text: string): string {
  return text
    .replace(/#/g, "#35;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")
    .replace(/`/g, "#96;")
    .replace(/\r?\n/g, " ");
}
