/** Latency bars and a pass/fail strip for the last 100 probes (inline SVG). */
import type { ProbeResult } from "../api/types";
import { formatClock, formatLatency } from "../lib/format";

const SLOTS = 100;
const W = 400;
const H = 110;
const STRIP = 10;
const TOP = 14;

export function HealthChart({ history }: { history: ProbeResult[] }) {
  const probes = history.slice(-SLOTS);
  if (probes.length === 0) return <p class="empty small">No probes yet (none configured, or not started).</p>;
  const max = niceMax(Math.max(1, ...probes.map((p) => p.latencyMs)));
  const slot = W / SLOTS;
  const plot = H - STRIP - 4 - TOP;
  const offset = SLOTS - probes.length;
  const passed = probes.filter((p) => p.ok).length;
  const avg = probes.reduce((n, p) => n + p.latencyMs, 0) / probes.length;
  return (
    <figure class="chart" data-testid="health-chart" data-probes={probes.length}>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${passed} of ${probes.length} probes passed`}>
        <line x1="0" x2={W} y1={TOP} y2={TOP} class="chart-grid" />
        <line x1="0" x2={W} y1={TOP + plot / 2} y2={TOP + plot / 2} class="chart-grid" />
        <line x1="0" x2={W} y1={TOP + plot} y2={TOP + plot} class="chart-axis" />
        {probes.map((p, i) => {
          const h = Math.max(1.5, (Math.min(p.latencyMs, max) / max) * plot);
          const x = (offset + i) * slot;
          return (
            <g key={p.checkedAt + ":" + i}>
              <title>{`${formatClock(p.checkedAt)} · ${p.ok ? "ok" : `failed: ${p.error ?? "?"}`} · ${formatLatency(p.latencyMs)}${p.endpoint ? ` · ${p.endpoint}` : ""}`}</title>
              <rect x={x + slot * 0.15} width={slot * 0.7} y={TOP + plot - h} height={h} class={p.ok ? "bar-ok" : "bar-bad"} />
              <rect x={x + slot * 0.1} width={slot * 0.8} y={H - STRIP} height={STRIP} rx="1" class={p.ok ? "strip-ok" : "strip-bad"} />
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span>max {formatLatency(max)}</span>
        <span>
          {passed}/{probes.length} passed · avg {formatLatency(avg)}
        </span>
      </figcaption>
    </figure>
  );
}

function niceMax(value: number): number {
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000];
  return steps.find((s) => s >= value) ?? value;
}
