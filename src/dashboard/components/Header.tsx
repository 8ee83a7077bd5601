/** The top bar: system state, healthy/total, uptime, restarts, the orchestrator's memory, storage trouble, the connection, the theme. */
import type { StreamState } from "../api/stream";
import type { OrchestratorStats, ServiceSummary, SystemStatus } from "../api/types";
import type { Theme } from "../hooks/useTheme";
import { formatBytes, formatDuration } from "../lib/format";
import { SYSTEM_TONE } from "../lib/states";
import { MoonIcon, SunIcon } from "./icons";

interface Props {
  status: SystemStatus | null;
  services: ServiceSummary[];
  stats: OrchestratorStats | null;
  connection: StreamState;
  now: number;
  syncedAt: number;
  theme: Theme;
  onToggleTheme(): void;
  onReconnect(): void;
}

export function Header({ status, services, stats, connection, now, syncedAt, theme, onToggleTheme, onReconnect }: Props) {
  const live = connection.kind === "open";
  const ticking = (ms: number | undefined) => (ms == null ? null : live ? ms + (now - syncedAt) : ms);
  const healthy = services.filter((s) => s.state === "healthy" || s.state === "completed").length;
  const active = services.filter((s) => s.state !== "stopped").length;
  const restarts = stats?.restarts ?? services.reduce((n, s) => n + s.restarts, 0);
  const state = status?.state ?? "starting";
  return (
    <header class="topbar">
      <div class="brand">
        <Logo />
        <div class="brand-text">
          <span class="brand-name" data-testid="fleet-name">{status?.name ?? "orchestrator"}</span>
          <span class="brand-sub">orchestrator</span>
        </div>
        <span class={`pill tone-${SYSTEM_TONE[state]}`} data-testid="system-state" title={status?.reasons.join("\n") || undefined}>
          {state}
        </span>
      </div>
      <dl class="metrics">
        <Metric label="Healthy" testid="healthy-count" value={`${healthy}/${services.length}`} hint={active !== services.length ? `${services.length - active} stopped` : undefined} />
        <Metric label="Uptime" testid="uptime" value={formatDuration(ticking(status?.uptimeMs))} />
        <Metric label="Restarts" testid="restarts" value={String(restarts)} />
        <Metric label="Memory" testid="memory" value={formatBytes(stats?.memory.rssBytes)} />
        {stats && !stats.storage.ok && <StorageAlert storage={stats.storage} />}
      </dl>
      <div class="topbar-actions">
        <ConnectionBadge connection={connection} onReconnect={onReconnect} />
        <button
          type="button"
          class="icon-button"
          data-testid="theme-toggle"
          aria-label={theme === "dark" ? "Switch to light mode" : "Switch to dark mode"}
          title={theme === "dark" ? "Switch to light mode" : "Switch to dark mode"}
          onClick={onToggleTheme}
        >
          {theme === "dark" ? <SunIcon /> : <MoonIcon />}
        </button>
      </div>
    </header>
  );
}

/** Shown only while writes under state.dir fail: supervision goes on, history and log files lag behind. */
function StorageAlert({ storage }: { storage: OrchestratorStats["storage"] }) {
  const hint = `${storage.lastError ?? "writes fail"}\ndropped so far: ${storage.droppedEvents} events, ${storage.droppedLogLines} log lines`;
  return <Metric label="Storage" testid="storage-alert" value="failing" hint={hint} bad />;
}

function Metric({ label, value, testid, hint, bad }: { label: string; value: string; testid: string; hint?: string; bad?: boolean }) {
  return (
    <div class="metric">
      <dt>{label}</dt>
      <dd data-testid={testid} title={hint} style={bad ? { color: "var(--bad)" } : undefined}>
        {value}
      </dd>
    </div>
  );
}

function ConnectionBadge({ connection, onReconnect }: { connection: StreamState; onReconnect(): void }) {
  const text =
    connection.kind === "open"
      ? "Live"
      : connection.kind === "connecting"
        ? "Connecting…"
        : connection.kind === "unauthorized"
          ? "Token needed"
          : `Reconnecting${connection.retryInMs ? ` in ${Math.ceil(connection.retryInMs / 1000)}s` : "…"}`;
  const tone = connection.kind === "open" ? "ok" : connection.kind === "unauthorized" ? "bad" : "warn";
  return (
    <button type="button" class={`conn tone-${tone}`} data-testid="connection" data-state={connection.kind} onClick={onReconnect} title="Reconnect now">
      <span class="dot" aria-hidden="true" />
      {text}
    </button>
  );
}

function Logo() {
  return (
    <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
      <rect x="2" y="2" width="28" height="28" rx="8" fill="var(--accent)" />
      <circle cx="11" cy="11" r="3" fill="#fff" />
      <circle cx="21" cy="11" r="3" fill="#fff" opacity=".8" />
      <circle cx="11" cy="21" r="3" fill="#fff" opacity=".8" />
      <circle cx="21" cy="21" r="3" fill="#fff" opacity=".6" />
    </svg>
  );
}
