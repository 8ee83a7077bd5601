/** The details drawer for one service: actions, vitals, health chart, live logs, healing events, effective config (readable, then raw). */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { ApiClient } from "../api/client";
import type { LogLine, ServiceSummary, StoredHealing, Why } from "../api/types";
import { useServiceDetail } from "../hooks/useServiceDetail";
import { formatBytes, formatClock, formatDuration, formatLatency, formatPercent } from "../lib/format";
import { STATE_TONE } from "../lib/states";
import { ActionBar } from "./ActionBar";
import { ConfigFacts } from "./ConfigFacts";
import { HealthChart } from "./HealthChart";
import { CloseIcon } from "./icons";

interface Props {
  client: ApiClient;
  summary: ServiceSummary;
  touchedSeq: number;
  dependents: string[];
  now: number;
  syncedAt: number;
  onClose(): void;
  onSelect(name: string): void;
  onUnauthorized(): void;
}

export function DetailsPanel({ client, summary, touchedSeq, dependents, now, syncedAt, onClose, onSelect, onUnauthorized }: Props) {
  const { detail, why, logs, error, refresh } = useServiceDetail(client, summary.name, touchedSeq);
  const s = summary;
  const tone = STATE_TONE[s.state];
  const uptime = s.pid ? s.uptimeMs + Math.max(0, now - syncedAt) : null;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [onClose]);

  return (
    <div class="panel" role="dialog" aria-modal="true" aria-label={`${s.name} details`} data-testid="details">
      <div class="panel-head">
        <div>
          <h2 class="panel-title">{s.name}</h2>
          <span class={`badge tone-${tone}`} key={s.state} data-testid="details-state">
            {s.state}
          </span>
          <span class="panel-phase">
            phase {s.phase} · {s.phaseName}
          </span>
        </div>
        <button type="button" class="icon-button" aria-label="Close details" data-testid="details-close" onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      <div class="panel-body">
        {why && tone !== "ok" ? <WhyBox why={why} tone={tone} /> : s.lastReason && tone !== "ok" && <p class={`reason tone-${tone}`}>{s.lastReason}</p>}
        <ActionBar client={client} service={s} onDone={refresh} onUnauthorized={onUnauthorized} />
        <dl class="vitals">
          <Vital label="pid" value={s.pid ?? "—"} testid="details-pid" mono />
          <Vital label="port" value={s.port ?? "—"} mono />
          <Vital label="uptime" value={formatDuration(uptime)} />
          <Vital label="restarts" value={s.restarts} />
          <Vital label="memory" value={formatBytes(s.memoryBytes)} />
          <Vital label="cpu" value={formatPercent(s.cpuPercent)} />
          <Vital label="latency" value={formatLatency(s.health.latencyMs)} />
          <Vital label="breaker" value={`${s.breaker.state}${s.breaker.failures ? ` (${s.breaker.failures})` : ""}`} />
        </dl>
        <Section title="Health" extra={s.health.endpoint ?? undefined}>
          <HealthChart history={detail?.healthHistory ?? []} />
        </Section>
        <Section title="Dependencies">
          <div class="deps">
            <span class="deps-label">needs</span>
            {s.dependsOn.length ? s.dependsOn.map((d) => <DepLink name={d.name} note={d.condition} onSelect={onSelect} />) : <span class="muted">nothing</span>}
          </div>
          <div class="deps">
            <span class="deps-label">needed by</span>
            {dependents.length ? dependents.map((d) => <DepLink name={d} onSelect={onSelect} />) : <span class="muted">nothing</span>}
          </div>
        </Section>
        <Section title="Recent logs" extra="live">
          <LogView lines={logs} />
        </Section>
        <Section title="Healing events">
          <HealingList events={detail?.healing ?? []} />
        </Section>
        <Section title="Effective config">
          {detail && <ConfigFacts config={detail.config} readiness={detail.readiness} />}
          <details class="config">
            <summary>Show configuration</summary>
            <pre data-testid="config">{detail ? JSON.stringify(detail.config, null, 2) : "loading…"}</pre>
          </details>
        </Section>
        {error && <p class="error-line">{error}</p>}
      </div>
    </div>
  );
}

function Vital({ label, value, testid, mono }: { label: string; value: string | number; testid?: string; mono?: boolean }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd class={mono ? "mono" : undefined} data-testid={testid}>
        {value}
      </dd>
    </div>
  );
}

function Section({ title, extra, children }: { title: string; extra?: string; children: ComponentChildren }) {
  return (
    <section class="section">
      <h3>
        {title}
        {extra && <span class="section-extra">{extra}</span>}
      </h3>
      {children}
    </section>
  );
}

function DepLink({ name, note, onSelect }: { name: string; note?: string; onSelect(name: string): void }) {
  return (
    <button type="button" class="dep-link" onClick={() => onSelect(name)}>
      {name}
      {note && <span class="muted"> ({note})</span>}
    </button>
  );
}

function LogView({ lines }: { lines: LogLine[] }) {
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines]);
  if (lines.length === 0) return <p class="empty small">No output yet.</p>;
  return (
    <pre
      class="logs"
      ref={box}
      data-testid="logs"
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
      }}
    >
      {lines.map((l, i) => (
        <div key={i} class={l.stream === "stderr" ? "log-err" : undefined}>
          <span class="log-ts">{formatClock(l.ts)}</span> {l.line}
        </div>
      ))}
    </pre>
  );
}

/** The explanation on top of the panel (the same as `orchestrator why NAME`): reason, what it waits for, the latest of its timeline. */
function WhyBox({ why, tone }: { why: Why; tone: string }) {
  const recent = why.timeline.slice(-5);
  return (
    <div class={`why reason tone-${tone}`} data-testid="details-why">
      <p class="why-summary">{why.summary}</p>
      {why.waitingFor && <p class="why-wait">waiting for: {why.waitingFor}</p>}
      {recent.length > 0 && (
        <ol class="why-timeline">
          {recent.map((e, i) => (
            <li key={i}>
              <span class="log-ts">{formatClock(e.ts)}</span> {e.kind !== "healing" && <span class="tag">{e.kind}</span>} {e.text}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function HealingList({ events }: { events: StoredHealing[] }) {
  if (events.length === 0) return <p class="empty small">No healing so far.</p>;
  return (
    <ol class="healing" data-testid="healing">
      {events.map((h) => (
        <li key={h.seq}>
          <span class="log-ts">{formatClock(h.ts)}</span>
          <strong>{h.action}</strong>
          {h.attempt ? <span class="muted"> #{h.attempt}</span> : null}
          {h.tier ? <span class="tag">{h.tier}</span> : null}
          <span class="healing-reason">{h.reason}</span>
          {h.context && h.context.length > 0 && (
            <details class="crash-context" data-testid="crash-context">
              <summary>last {h.context.length} output lines</summary>
              <pre>{h.context.map((l) => `${l.stream === "stderr" ? "!" : " "} ${l.line}`).join("\n")}</pre>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}
