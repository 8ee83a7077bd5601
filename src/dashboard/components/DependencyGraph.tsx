/** The dependency graph as SVG, laid out by phase; selecting a service lights up what it needs and what needs it. */
import { useMemo } from "preact/hooks";
import type { GraphJson, ServiceSummary } from "../api/types";
import { arcLift, layoutGraph, NODE_H, NODE_W, relatives } from "../lib/graph-layout";
import { STATE_TONE } from "../lib/states";

interface Props {
  graph: GraphJson | null;
  services: ServiceSummary[];
  selected: string | null;
  onSelect(name: string | null): void;
  onOpen(name: string): void;
}

export function DependencyGraph({ graph, services, selected, onSelect, onOpen }: Props) {
  const layout = useMemo(() => (graph ? layoutGraph(graph) : null), [graph]);
  const rel = useMemo(() => (graph && selected ? relatives(graph, selected) : null), [graph, selected]);
  if (!graph || !layout) return <p class="empty">Loading the dependency graph…</p>;
  const stateOf = new Map(services.map((s) => [s.name, s.state]));
  const roleOf = (name: string) => (!rel ? "" : name === selected ? "sel" : rel.upstream.has(name) ? "up" : rel.downstream.has(name) ? "down" : "dim");
  const edgeRole = (from: string, to: string) => {
    if (!rel || !selected) return "";
    if ((from === selected || rel.upstream.has(from)) && rel.upstream.has(to)) return "up";
    if (rel.downstream.has(from) && (to === selected || rel.downstream.has(to))) return "down";
    return "dim";
  };

  return (
    <section class="graph-view" aria-label="Dependency graph">
      <div class="graph-help">
        {selected && rel ? (
          <span data-testid="graph-selection">
            <strong>{selected}</strong> needs {list(rel.upstream)} · needed by {list(rel.downstream)}{" "}
            <button type="button" class="btn btn-small" onClick={() => onOpen(selected)}>
              Details
            </button>
          </span>
        ) : (
          <span class="muted">Select a service to highlight its dependencies and dependents. Arrows point to what a service needs.</span>
        )}
        <span class="legend">
          <i class="lg lg-up" /> needs <i class="lg lg-down" /> needed by
        </span>
      </div>
      <div class="graph-scroll">
        <svg
          class="graph"
          data-testid="graph"
          width={layout.width}
          height={layout.height}
          style={{ width: "100%", maxWidth: `${layout.width}px`, minWidth: `${Math.round(layout.width * 0.7)}px`, height: "auto" }}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          onClick={(e) => e.target === e.currentTarget && onSelect(null)}
        >
          <defs>
            {["", "up", "down", "dim"].map((role) => (
              <marker id={`arrow${role}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0 0L10 5L0 10z" class={`arrow ${role}`} />
              </marker>
            ))}
          </defs>
          {layout.bands.map((b) => (
            <g key={b.phase} class="band">
              <rect x={b.x - 8} y={4} width={b.width + 16} height={layout.height - 8} rx="10" />
              <text x={b.x} y={26}>
                {b.phase} · {b.name}
              </text>
            </g>
          ))}
          {graph.edges.map((e) => {
            const from = layout.nodes.get(e.from);
            const to = layout.nodes.get(e.to);
            if (!from || !to) return null;
            const role = edgeRole(e.from, e.to);
            const x1 = from.x;
            const y1 = from.y + NODE_H / 2;
            const x2 = to.x + NODE_W;
            const y2 = to.y + NODE_H / 2;
            const lift = arcLift(from.col - to.col);
            const bend = lift ? 36 : Math.max(24, (x1 - x2) / 2);
            return (
              <path
                key={`${e.from}>${e.to}`}
                class={`edge ${role}`}
                data-edge={`${e.from}>${e.to}`}
                d={`M${x1} ${y1} C${x1 - bend} ${y1 - lift} ${x2 + bend} ${y2 - lift} ${x2 + 2} ${y2}`}
                marker-end={`url(#arrow${role})`}
              >
                <title>{`${e.from} needs ${e.to} (${e.condition})`}</title>
              </path>
            );
          })}
          {[...layout.nodes.values()].map((n) => {
            const state = stateOf.get(n.name);
            const tone = state ? STATE_TONE[state] : "muted";
            return (
              <g
                key={n.name}
                class={`node tone-${tone} ${roleOf(n.name)}`}
                data-testid={`node-${n.name}`}
                data-role={roleOf(n.name) || "none"}
                transform={`translate(${n.x} ${n.y})`}
                tabIndex={0}
                role="button"
                aria-label={`${n.name}: ${state ?? "unknown"}`}
                onClick={() => onSelect(n.name === selected ? null : n.name)}
                onDblClick={() => onOpen(n.name)}
                onKeyDown={(e) => e.key === "Enter" && onSelect(n.name)}
              >
                <rect width={NODE_W} height={NODE_H} rx="9" class="node-box" />
                <rect width="5" height={NODE_H - 16} x="8" y="8" rx="2.5" class="node-bar" />
                <text x="22" y="20" class="node-name">
                  {n.name.length > 17 ? `${n.name.slice(0, 16)}…` : n.name}
                </text>
                <text x="22" y="36" class="node-state">
                  {n.disabled ? "disabled" : state ?? "—"}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </section>
  );
}

function list(names: Set<string>): string {
  return names.size ? [...names].sort().join(", ") : "nothing";
}
