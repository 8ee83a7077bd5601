/**
 * The fleet as the dashboard sees it: status, services, stats, the dependency graph and the
 * event feed. A snapshot and the stream keep it live; API reads (throttled after changes,
 * and every few seconds for memory, CPU and uptime) fill in what events do not carry.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiResponseError, type ApiClient } from "../api/client";
import type { EventOrigin, StoredEvent } from "../api/sequencer";
import type { GraphJson, OrchestratorStats, ServiceSummary, SystemStatus } from "../api/types";
import type { StreamState } from "../api/stream";
import { applyEvent, mergeServices, type Model } from "../lib/apply-event";
import { useRealtimeUpdates } from "./useRealtimeUpdates";

const FEED_SIZE = 400;
const POLL_MS = 5000;
const REFRESH_THROTTLE_MS = 400;

export interface FleetView {
  status: SystemStatus | null;
  services: ServiceSummary[];
  stats: OrchestratorStats | null;
  graph: GraphJson | null;
  /** Stored events, newest first. */
  feed: StoredEvent[];
  /** The seq of the latest event per service: a details panel refreshes when it moves. */
  touched: Record<string, number>;
  connection: StreamState;
  /** When status and stats were last read (uptimes tick on from here). */
  syncedAt: number;
  error: string | null;
  needsToken: boolean;
  reconnect(): void;
}

export function useOrchestratorStatus(client: ApiClient, generation = 0): FleetView {
  const [model, setModel] = useState<Model>({ status: null, services: [], touched: {} });
  const [stats, setStats] = useState<OrchestratorStats | null>(null);
  const [graph, setGraph] = useState<GraphJson | null>(null);
  const [feed, setFeed] = useState<StoredEvent[]>([]);
  const [syncedAt, setSyncedAt] = useState(Date.now());
  const [error, setError] = useState<string | null>(null);
  const [unauthorized, setUnauthorized] = useState(false);
  const lastSeq = useRef(0);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const report = useCallback((err: unknown) => {
    if (err instanceof ApiResponseError && err.unauthorized) setUnauthorized(true);
    setError(err instanceof Error ? err.message : String(err));
  }, []);

  const refresh = useCallback(async () => {
    const since = lastSeq.current;
    try {
      const [services, status, nextStats] = await Promise.all([client.services(), client.status(), client.stats()]);
      setModel((m) => ({ ...mergeServices(m, services, since), status: { ...status, state: m.status && since < lastSeq.current ? m.status.state : status.state } }));
      setStats(nextStats);
      setSyncedAt(Date.now());
      setError(null);
      setUnauthorized(false); // these reads need the token when the API has one: we hold it
    } catch (err) {
      report(err);
    }
  }, [client, report]);

  const scheduleRefresh = useCallback(() => {
    if (refreshTimer.current) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = undefined;
      void refresh();
    }, REFRESH_THROTTLE_MS);
  }, [refresh]);

  const realtime = useRealtimeUpdates(
    client,
    {
      snapshot(payload, seq) {
        lastSeq.current = seq;
        setModel((m) => ({ ...m, status: payload.status, services: payload.services }));
        setSyncedAt(Date.now());
        setUnauthorized(false);
        client.dependencies().then(setGraph, report);
        client.stats().then(setStats, report);
      },
      events(events: StoredEvent[], origin: EventOrigin) {
        setFeed((f) => [...[...events].reverse(), ...f].slice(0, FEED_SIZE));
        if (origin === "history") return;
        lastSeq.current = events[events.length - 1].seq;
        setModel((m) => events.reduce(applyEvent, m));
        // notices (storage failing or recovered...) change what stats say: the header shows it
        if (events.some((e) => e.type === "service" || e.type === "healing" || e.type === "notice")) scheduleRefresh();
      },
      failed: report,
    },
    { history: 200, generation },
  );

  // show the fleet at once, even before the stream opens; again after a new token (reads need it when the API has one)
  useEffect(() => {
    void refresh();
    client.dependencies().then(setGraph, report);
  }, [client, refresh, report, generation]);

  useEffect(() => {
    if (realtime.connection.kind !== "open") return;
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [realtime.connection.kind, refresh]);

  useEffect(() => () => clearTimeout(refreshTimer.current), []);

  return {
    status: model.status,
    services: model.services,
    touched: model.touched,
    stats,
    graph,
    feed,
    connection: realtime.connection,
    syncedAt,
    error,
    needsToken: unauthorized || realtime.connection.kind === "unauthorized",
    reconnect: realtime.reconnect,
  };
}
