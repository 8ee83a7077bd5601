/**
 * Incidents (SPEC §16): `healing.incident.services` or more services failing within
 * `healing.incident.window` are one incident, an `incident` event naming the services, the
 * first failure and, when the graph shows one, the upstream they all depend on. Each further
 * service failing within the window of the last one grows it (another event, the same id).
 */
import type { HealingConfig } from "../contract/config";
import type { Incident } from "../contract/events";
import type { EventSink } from "../events/sink";
import type { Clock } from "../lib/clock";
import type { ServiceRuntime } from "./service-runtime";

/** What the tracker needs of the supervisor: time, where events go, and the healing settings in effect. */
export interface IncidentPorts {
  clock: Clock;
  sink: EventSink;
  healing(): HealingConfig | undefined;
}

interface Failure {
  service: ServiceRuntime;
  reason: string;
  ts: number;
}

interface OpenIncident {
  id: number;
  members: ServiceRuntime[];
  first: Failure;
  lastTs: number;
}

export class IncidentTracker {
  private recent: Failure[] = [];
  private open: OpenIncident | null = null;
  private count = 0;

  constructor(private readonly ports: IncidentPorts) {}

  /** A failure was detected (the healer calls this once per failure). */
  record(service: ServiceRuntime, reason: string): void {
    const settings = this.ports.healing()?.incident;
    if (!settings) return;
    const now = this.ports.clock.now();
    this.recent = this.recent.filter((f) => now - f.ts <= settings.windowMs);
    this.recent.push({ service, reason, ts: now });
    const open = this.open && now - this.open.lastTs <= settings.windowMs ? this.open : null;
    this.open = open;
    if (open) {
      open.lastTs = now;
      if (open.members.includes(service)) return;
      open.members.push(service);
      return this.emit(open, "grown", settings.windowMs);
    }
    const firsts = firstFailures(this.recent);
    if (firsts.length < settings.services) return;
    this.open = { id: ++this.count, members: firsts.map((f) => f.service), first: firsts[0], lastTs: now };
    this.emit(this.open, "opened", settings.windowMs);
  }

  private emit(incident: OpenIncident, action: Incident["action"], windowMs: number): void {
    const { first } = incident;
    const payload: Incident = {
      id: incident.id,
      action,
      services: incident.members.map((s) => s.name),
      first: { service: first.service.name, reason: first.reason, ts: first.ts },
      windowMs,
      ts: this.ports.clock.now(),
    };
    const upstream = findCommonUpstream(incident.members);
    if (upstream) payload.upstream = upstream.name;
    this.ports.sink.emit({ type: "incident", payload });
  }
}

/** Each service's first failure in `failures`, in order. */
function firstFailures(failures: readonly Failure[]): Failure[] {
  const seen = new Set<ServiceRuntime>();
  return failures.filter((f) => !seen.has(f.service) && seen.add(f.service));
}

/** The service nearest to the failed ones that each of them is or depends on (directly or not), if any. */
export function findCommonUpstream(services: readonly ServiceRuntime[]): ServiceRuntime | null {
  if (services.length === 0) return null;
  let common = withUpstream(services[0]);
  for (const service of services.slice(1)) {
    const upstream = withUpstream(service);
    common = new Set([...common].filter((s) => upstream.has(s)));
    if (common.size === 0) return null;
  }
  // the nearest: launched last among the candidates (a dependency launches before its dependents)
  return [...common].reduce<ServiceRuntime | null>((best, s) => (best === null || s.order > best.order ? s : best), null);
}

function withUpstream(service: ServiceRuntime): Set<ServiceRuntime> {
  const found = new Set<ServiceRuntime>([service]);
  const stack = [service];
  while (stack.length > 0) {
    for (const link of stack.pop()!.dependencies) {
      if (found.has(link.service)) continue;
      found.add(link.service);
      stack.push(link.service);
    }
  }
  return found;
}
