/**
 * `why` (SPEC §16): what explains a service's state, from what the fleet already knows: its
 * record, its dependencies' records, its healing history and the incidents it was part of.
 */
import type { Incident, StoredHealing } from "../contract/events";
import { meetsCondition } from "../contract/state-classes";
import type { Why, WhyEntry } from "../contract/why";
import type { ServiceSnapshot } from "../supervisor";

export interface ExplainInput {
  service: ServiceSnapshot;
  /** Snapshots of its direct dependencies (those still in the fleet). */
  dependencies: ServiceSnapshot[];
  /** Its healing records, newest first. */
  healing: StoredHealing[];
  /** Breaker records of its dependencies, newest first. */
  upstreamHealing: StoredHealing[];
  /** Incidents, newest first (any: the ones naming it are kept). */
  incidents: Incident[];
  /** Whether its restart waits for a slot (healing.maxConcurrentRestarts). */
  queued: boolean;
}

const CRASH_CONTEXTS = 3;
const BREAKER_ACTIONS = new Set(["breaker-opened", "breaker-half-open", "breaker-closed"]);

export function explainService(input: ExplainInput): Why {
  const { service } = input;
  const mine = input.incidents.filter((i) => i.services.includes(service.name));
  const upstream = service.dependsOn.flatMap((dep) => {
    const found = input.dependencies.find((d) => d.name === dep.name);
    return found ? [{ name: found.name, state: found.state, breaker: found.breaker.state, ready: meetsCondition(found.state, dep.condition) }] : [];
  });
  const failures = input.healing.filter((h) => h.action === "detected" && h.context !== undefined);
  // each list oldest first, then a stable sort by time: records of the same millisecond keep their order
  const timeline: WhyEntry[] = [
    ...input.upstreamHealing.filter((h) => BREAKER_ACTIONS.has(h.action)).toReversed().map((h) => ({ ts: h.ts, kind: "upstream", text: `${h.service}: ${h.action} (${h.reason})` })),
    ...mine.toReversed().map((i) => ({ ts: i.ts, kind: "incident", text: describeIncident(i) })),
    ...input.healing.toReversed().map((h) => ({ ts: h.ts, kind: "healing", text: describeAttempt(h) })),
  ].sort((a, b) => a.ts - b.ts);
  return {
    service: service.name,
    state: service.state,
    summary: service.lastReason ? `${service.name} is ${service.state}: ${service.lastReason}` : `${service.name} is ${service.state}`,
    waitingFor: describeWait(input, upstream),
    upstream,
    incidents: mine,
    attempts: input.healing,
    crashContext: failures.slice(0, CRASH_CONTEXTS).map((h) => ({ ts: h.ts, reason: h.reason, lines: h.context ?? [] })),
    timeline,
  };
}

/** `detected #2: exited with code 1 (exit code 1)`, `restarted #3 (graceful): …`. */
export function describeAttempt(h: StoredHealing): string {
  const step = h.attempt ? ` #${h.attempt}` : "";
  const tier = h.tier ? ` (${h.tier})` : "";
  const exit = h.exitCode !== undefined ? ` (exit code ${h.exitCode})` : h.signal ? ` (${h.signal})` : "";
  return `${h.action}${step}${tier}: ${h.reason}${exit}`;
}

export function describeIncident(i: Incident): string {
  const cause = i.upstream ? `; common upstream: ${i.upstream}` : "";
  return `incident #${i.id} ${i.action}: ${i.services.length} services failed (${i.services.join(", ")}); first ${i.first.service}: ${i.first.reason}${cause}`;
}

function describeWait(input: ExplainInput, upstream: Why["upstream"]): string | null {
  const { service } = input;
  const name = service.name;
  switch (service.state) {
    case "healthy":
    case "completed":
      return null;
    case "pending":
      return "its turn in the launch";
    case "starting":
      return `its first passing health check (within ${service.config.startupTimeoutMs}ms)`;
    case "unhealthy":
      return "its health check to pass again, or the restart that failing it brings";
    case "backoff": {
      if (input.queued) return "a restart slot (healing.maxConcurrentRestarts)";
      const next = input.healing.find((h) => h.action === "restart-scheduled");
      return next ? `restart attempt ${next.attempt} (${next.tier}) after its backoff of ${next.delayMs ?? 0}ms` : "its restart";
    }
    case "blocked": {
      const waiting = upstream.filter((u) => !u.ready).map((u) => `${u.name} (${u.state})`);
      return `its dependencies: ${waiting.join(", ") || "none left"}`;
    }
    case "degraded": {
      const tripped = upstream.filter((u) => u.breaker !== "closed").map((u) => `${u.name}'s circuit breaker to close`);
      return tripped.join(", ") || "its upstream circuit breakers to close";
    }
    case "quarantined":
      return `an operator: \`orchestrator restart ${name}\` lifts the quarantine`;
    case "failed":
      return `an operator: \`orchestrator start ${name}\``;
    case "stopping":
      return "its process to exit";
    case "stopped":
      return `\`orchestrator start ${name}\``;
  }
}
