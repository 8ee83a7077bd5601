/**
 * Alerts (SPEC §16): each event that makes an alert goes to every `alerts:` endpoint that
 * asked for its kind, at most once per (kind, service) per `minInterval` (the rest counted in
 * the next one), and once per incident: per-service alerts of an incident's services are
 * folded into it while it lasts. Delivery never blocks the caller (the bus, hence healing):
 * the POST runs on its own, retried with backoff on the injected clock, and its outcome
 * goes to the endpoint's stats.
 */
import type { AlertConfig, AlertKind } from "../contract/config";
import type { Incident, OrchestratorEvent } from "../contract/events";
import type { AlertTargetStats } from "../contract/system-view";
import type { Clock, Timer } from "../lib/clock";
import { alertKinds, buildAlert, type Alert } from "./alert";
import { postAlert, type PostAlert } from "./deliver";
import { redactUrl } from "./redact";

/** Waits before each retry of a failed POST; after the last, the alert is given up (counted as failed). */
export const RETRY_DELAYS_MS = [1_000, 5_000, 30_000];
export const POST_TIMEOUT_MS = 5_000;
/** Alerts in delivery or waiting to retry, per endpoint; past it the newest is dropped (counted failed). */
export const MAX_PENDING = 100;

export interface DispatcherOptions {
  clock: Clock;
  /** The endpoints now in effect (read at every event: a reload applies to the next one). */
  alerts: () => readonly AlertConfig[];
  fleet: () => string;
  post?: PostAlert;
  /** Told when an alert is given up on; `target` is redacted. */
  onGiveUp?: (target: string, alert: Alert, error: string) => void;
}

interface Target {
  config: AlertConfig;
  stats: AlertTargetStats;
  /** When each (kind, service) was last sent, and how many were held back since. */
  recent: Map<string, { sentAt: number; held: number }>;
}

export class AlertDispatcher {
  private targets = new Map<string, Target>();
  private readonly post: PostAlert;
  /** Open incidents: their services' own alerts are folded into them until `until`. */
  private incidents: { id: number; services: Set<string>; until: number }[] = [];
  private readonly retries = new Set<Timer>();
  private closed = false;

  constructor(private readonly options: DispatcherOptions) {
    this.post = options.post ?? postAlert;
  }

  /** Feed every bus event here; synchronous and never throws. */
  handle(event: OrchestratorEvent): void {
    const now = this.options.clock.now();
    if (event.type === "incident") this.noteIncident(event.payload, now);
    const kinds = alertKinds(event);
    if (kinds.length === 0 || this.closed) return;
    const folded = event.type === "healing" && this.isInIncident(event.payload.service, now);
    for (const target of this.currentTargets()) {
      const kind = kinds.find((k) => target.config.events.includes(k));
      if (kind) this.offer(target, event, kind, folded, now);
    }
  }

  /** No more alerts and no more retries (the fleet is closing); a POST under way runs to its timeout. */
  close(): void {
    this.closed = true;
    for (const timer of this.retries) timer.cancel();
    this.retries.clear();
  }

  /** One entry per endpoint now configured, in manifest order. */
  stats(): AlertTargetStats[] {
    return this.currentTargets().map((t) => ({ ...t.stats }));
  }

  private offer(target: Target, event: OrchestratorEvent, kind: AlertKind, folded: boolean, now: number): void {
    const alert = buildAlert(event, kind, this.options.fleet());
    const key = `${kind}\u0000${alert.service}`;
    const last = target.recent.get(key);
    if (folded || (last && now - last.sentAt < target.config.minIntervalMs)) {
      target.stats.suppressed++;
      if (last) last.held++;
      else target.recent.set(key, { sentAt: -Infinity, held: 1 });
      return;
    }
    if (last?.held) alert.suppressed = last.held;
    target.recent.set(key, { sentAt: now, held: 0 });
    if (target.stats.pending >= MAX_PENDING) {
      target.stats.failed++;
      target.stats.lastError = `more than ${MAX_PENDING} alerts waiting for this endpoint: dropped`;
      return;
    }
    target.stats.pending++;
    this.attempt(target, alert, 0);
  }

  private attempt(target: Target, alert: Alert, tries: number): void {
    void this.post(target.config.url, target.config.format, alert, POST_TIMEOUT_MS)
      .catch((error: unknown) => ({ ok: false as const, error: String(error) }))
      .then((outcome) => {
        if (outcome.ok) {
          target.stats.pending--;
          target.stats.sent++;
          target.stats.lastSentAt = this.options.clock.now();
          return;
        }
        target.stats.lastError = outcome.error;
        if (tries < RETRY_DELAYS_MS.length) {
          if (this.closed) return;
          target.stats.retries++;
          const timer = this.options.clock.setTimeout(() => {
            this.retries.delete(timer);
            this.attempt(target, alert, tries + 1);
          }, RETRY_DELAYS_MS[tries]);
          this.retries.add(timer);
          return;
        }
        target.stats.pending--;
        target.stats.failed++;
        this.options.onGiveUp?.(target.stats.target, alert, outcome.error);
      });
  }

  private noteIncident(incident: Incident, now: number): void {
    this.incidents = this.incidents.filter((i) => i.until > now && i.id !== incident.id);
    this.incidents.push({ id: incident.id, services: new Set(incident.services), until: now + incident.windowMs });
  }

  private isInIncident(service: string, now: number): boolean {
    return this.incidents.some((i) => i.until > now && i.services.has(service));
  }

  // Endpoints are matched by URL and format: a reload keeps the stats and dedupe of those it keeps.
  private currentTargets(): Target[] {
    const configs = this.options.alerts();
    const next = new Map<string, Target>();
    for (const [i, config] of configs.entries()) {
      const id = `${config.format} ${config.url} ${i}`;
      const target = this.targets.get(id) ?? { config, recent: new Map(), stats: emptyStats(config) };
      target.config = config;
      next.set(id, target);
    }
    if (next.size !== this.targets.size || [...next.keys()].some((k) => !this.targets.has(k))) this.targets = next;
    return [...this.targets.values()];
  }
}

function emptyStats(config: AlertConfig): AlertTargetStats {
  return { target: redactUrl(config.url), format: config.format, sent: 0, failed: 0, retries: 0, suppressed: 0, pending: 0, lastSentAt: null, lastError: null };
}
