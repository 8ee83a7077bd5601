/** The dashboard: header, services or dependency graph, the event feed, and the details drawer. */
import { useCallback, useMemo, useState } from "preact/hooks";
import { createApiClient } from "../api/client";
import { useNow } from "../hooks/useNow";
import { useOrchestratorStatus } from "../hooks/useOrchestratorStatus";
import { useTheme } from "../hooks/useTheme";
import { DependencyGraph } from "./DependencyGraph";
import { DetailsPanel } from "./DetailsPanel";
import { EventFeed } from "./EventFeed";
import { Header } from "./Header";
import { ServiceGrid } from "./ServiceGrid";
import { TokenPrompt } from "./TokenPrompt";

type View = "services" | "graph";

export function App() {
  const client = useMemo(() => createApiClient(), []);
  const [generation, setGeneration] = useState(0);
  const fleet = useOrchestratorStatus(client, generation);
  const { theme, toggle } = useTheme();
  const now = useNow(1000);
  const [view, setView] = useState<View>(() => (location.hash === "#graph" ? "graph" : "services"));
  const [open, setOpen] = useState<string | null>(null);
  const [graphSelection, setGraphSelection] = useState<string | null>(null);
  const [tokenRefused, setTokenRefused] = useState(false);

  const showView = (next: View) => {
    setView(next);
    history.replaceState(null, "", next === "graph" ? "#graph" : "#");
  };
  const close = useCallback(() => setOpen(null), []);
  const phases = fleet.graph?.phases ?? [];
  const summary = open ? fleet.services.find((s) => s.name === open) : undefined;
  const dependents = open ? fleet.services.filter((s) => s.dependsOn.some((d) => d.name === open)).map((s) => s.name) : [];
  const needsToken = fleet.needsToken || tokenRefused;

  return (
    <div class={`app${summary ? " with-panel" : ""}`}>
      <Header
        status={fleet.status}
        services={fleet.services}
        stats={fleet.stats}
        connection={fleet.connection}
        now={now}
        syncedAt={fleet.syncedAt}
        theme={theme}
        onToggleTheme={toggle}
        onReconnect={fleet.reconnect}
      />
      {fleet.connection.kind === "reconnecting" && (
        <div class="banner" role="status" data-testid="reconnecting">
          Connection lost — reconnecting{fleet.connection.retryInMs ? ` in ${Math.ceil(fleet.connection.retryInMs / 1000)}s` : "…"} Missed events will be replayed.
        </div>
      )}
      <main class="layout">
        <div class="primary">
          <nav class="tabs" aria-label="Views">
            <button type="button" class={`tab${view === "services" ? " active" : ""}`} data-testid="tab-services" onClick={() => showView("services")}>
              Services
            </button>
            <button type="button" class={`tab${view === "graph" ? " active" : ""}`} data-testid="tab-graph" onClick={() => showView("graph")}>
              Dependencies
            </button>
            {fleet.error && fleet.connection.kind === "open" && <span class="error-line">{fleet.error}</span>}
          </nav>
          {view === "services" ? (
            <ServiceGrid services={fleet.services} phases={phases} selected={open} now={now} syncedAt={fleet.syncedAt} onSelect={setOpen} />
          ) : (
            <DependencyGraph graph={fleet.graph} services={fleet.services} selected={graphSelection} onSelect={setGraphSelection} onOpen={setOpen} />
          )}
        </div>
        <EventFeed events={fleet.feed} onSelect={setOpen} />
      </main>
      {summary && (
        <>
          <div class="panel-backdrop" onClick={close} />
          <DetailsPanel
            key={summary.name /* a fresh panel per service: its own reads, stream and confirm step */}
            client={client}
            summary={summary}
            touchedSeq={fleet.touched[summary.name] ?? 0}
            dependents={dependents}
            now={now}
            syncedAt={fleet.syncedAt}
            onClose={close}
            onSelect={setOpen}
            onUnauthorized={() => setTokenRefused(true)}
          />
        </>
      )}
      {needsToken && (
        <TokenPrompt
          hadToken={client.token() !== null}
          onSubmit={(token) => {
            client.setToken(token);
            setTokenRefused(false);
            setGeneration((g) => g + 1);
          }}
        />
      )}
    </div>
  );
}
