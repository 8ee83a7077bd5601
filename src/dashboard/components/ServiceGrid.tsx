/** Services as cards coloured by state, grouped by phase, with a state filter and a search box. */
import { useMemo, useState } from "preact/hooks";
import type { ServiceSummary } from "../api/types";
import { formatBytes, formatDuration, formatLatency, formatPercent } from "../lib/format";
import { groupReplicas } from "../lib/replica-groups";
import { STATE_FILTERS, STATE_TONE } from "../lib/states";
import { SearchIcon } from "./icons";

interface Props {
  services: ServiceSummary[];
  phases: string[];
  selected: string | null;
  now: number;
  syncedAt: number;
  onSelect(name: string): void;
}

export function ServiceGrid({ services, phases, selected, now, syncedAt, onSelect }: Props) {
  const [filter, setFilter] = useState("all");
  const [query, setQuery] = useState("");
  const counts = useMemo(
    () => Object.fromEntries(STATE_FILTERS.map((f) => [f.id, f.states ? services.filter((s) => f.states!.includes(s.state)).length : services.length])),
    [services],
  );
  const states = STATE_FILTERS.find((f) => f.id === filter)?.states ?? null;
  const q = query.trim().toLowerCase();
  const shown = services.filter((s) => (!states || states.includes(s.state)) && (!q || s.name.toLowerCase().includes(q) || s.phaseName.toLowerCase().includes(q)));
  const groups = groupByPhase(shown, phases);

  return (
    <section class="grid-view" aria-label="Services">
      <div class="toolbar">
        <div class="chips" role="tablist" aria-label="Filter by state">
          {STATE_FILTERS.map((f) => (
            <button
              type="button"
              role="tab"
              aria-selected={filter === f.id}
              class={`chip${filter === f.id ? " active" : ""}`}
              data-testid={`filter-${f.id}`}
              onClick={() => setFilter(f.id)}
            >
              {f.label}
              <span class="chip-count">{counts[f.id]}</span>
            </button>
          ))}
        </div>
        <label class="search">
          <SearchIcon />
          <input type="search" placeholder="Search services" aria-label="Search services" data-testid="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
      </div>
      {groups.length === 0 && <p class="empty">{services.length ? "No service matches." : "Waiting for the fleet…"}</p>}
      {groups.map((group) => (
        <div class="phase-group" key={group.phase} data-testid={`phase-${group.phase}`}>
          <h2 class="phase-title">
            <span class="phase-index">Phase {group.phase}</span> {group.name}
            <span class="phase-count">{group.services.length}</span>
          </h2>
          <div class="cards">
            {groupReplicas(group.services).map((run) => {
              const cards = run.services.map((s) => <ServiceCard key={s.name} service={s} selected={s.name === selected} uptimeMs={tick(s, now, syncedAt)} onSelect={onSelect} />);
              if (run.group === null) return cards;
              const ready = run.services.filter((s) => s.state === "healthy").length;
              return (
                <div class="replica-group" key={`group-${run.group}`} data-testid={`group-${run.group}`}>
                  <h3 class="replica-title">
                    {run.group} <span class="replica-count">{ready}/{run.services.length} instances healthy</span>
                  </h3>
                  <div class="cards">{cards}</div>
                </div>
              );
            })}
          </div>
        </div>
      ))}
    </section>
  );
}

function tick(s: ServiceSummary, now: number, syncedAt: number): number | null {
  if (!s.pid) return null;
  return s.uptimeMs + Math.max(0, now - syncedAt);
}

function ServiceCard({ service: s, selected, uptimeMs, onSelect }: { service: ServiceSummary; selected: boolean; uptimeMs: number | null; onSelect(name: string): void }) {
  const tone = STATE_TONE[s.state];
  return (
    <button
      type="button"
      class={`card tone-${tone}${selected ? " selected" : ""}`}
      data-testid={`card-${s.name}`}
      data-state={s.state}
      data-pid={s.pid ?? ""}
      onClick={() => onSelect(s.name)}
      aria-label={`${s.name}: ${s.state}`}
    >
      <div class="card-head">
        <span class="card-name">{s.name}</span>
        <span key={s.state} class={`badge tone-${tone}`} data-testid="state">
          {s.state}
        </span>
      </div>
      <div class="card-tags">
        {s.critical && <span class="tag">critical</span>}
        {s.optional && <span class="tag">optional</span>}
        {s.port != null && <span class="tag mono">:{s.port}</span>}
        {s.breaker.state !== "closed" && <span class="tag tag-bad">breaker {s.breaker.state}</span>}
      </div>
      <dl class="card-stats">
        <div>
          <dt>pid</dt>
          <dd class="mono">{s.pid ?? "—"}</dd>
        </div>
        <div>
          <dt>uptime</dt>
          <dd>{formatDuration(uptimeMs)}</dd>
        </div>
        <div>
          <dt>restarts</dt>
          <dd>{s.restarts}</dd>
        </div>
        <div>
          <dt>latency</dt>
          <dd>{formatLatency(s.health.latencyMs)}</dd>
        </div>
        <div>
          <dt>memory</dt>
          <dd>{formatBytes(s.memoryBytes)}</dd>
        </div>
        <div>
          <dt>cpu</dt>
          <dd>{formatPercent(s.cpuPercent)}</dd>
        </div>
      </dl>
      {s.lastReason && tone !== "ok" && tone !== "done" && <p class="card-reason" title={s.lastReason}>{s.lastReason}</p>}
    </button>
  );
}

interface PhaseGroup {
  phase: number;
  name: string;
  services: ServiceSummary[];
}

function groupByPhase(services: ServiceSummary[], phases: string[]): PhaseGroup[] {
  const groups = new Map<number, PhaseGroup>();
  for (const s of services) {
    const group = groups.get(s.phase) ?? { phase: s.phase, name: phases[s.phase] ?? s.phaseName, services: [] };
    group.services.push(s);
    groups.set(s.phase, group);
  }
  return [...groups.values()].sort((a, b) => a.phase - b.phase).map((g) => ({ ...g, services: g.services.sort((a, b) => a.name.localeCompare(b.name)) }));
}
