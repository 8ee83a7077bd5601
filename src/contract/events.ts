/**
 * Every event the orchestrator emits: a union keyed by `type`, as schemas (the stream's and
 * the replay route's) with their types. The bus (src/events/bus.ts) stamps `seq` and `ts`.
 */
import { Type, type Static } from "@sinclair/typebox";
import { LogLineSchema, StreamNameSchema } from "./output";
import { literals } from "./schema-helpers";
import { ServiceStateSchema, SystemStateSchema } from "./state-schemas";

export const HEALING_ACTIONS = [
  "detected",
  "restart-scheduled",
  "restart-queued",
  "restarted",
  "recovered",
  "escalated",
  "quarantined",
  "breaker-opened",
  "breaker-half-open",
  "breaker-closed",
  "manual-restart",
  "gave-up",
  "rolled-back",
] as const;

export const HEALING_TIERS = ["immediate", "graceful", "dependencies", "quarantine", "manual"] as const;

/** What a `detected` failure was: an exit, a start not ready in time, failed probes, over limits.memory, a starter that daemonized. */
export const FAILURE_CAUSES = ["exit", "startup", "unhealthy", "memory", "daemon", "watchdog"] as const;

/** Output lines kept with each failure (`detected`): the crash context (SPEC §16). */
export const CRASH_CONTEXT_LINES = 20;

/**
 * What the orchestrator says about itself (not about one service): its storage failing or
 * recovering, a history file replaced, its previous run not stopped cleanly, its watchdog
 * replaced, escaped processes caught, a daemon's pid taken over from its pidFile, how memory
 * limits are enforced.
 */
export const NOTICE_KINDS = [
  "storage-failed",
  "storage-recovered",
  "store-replaced",
  "unclean-shutdown",
  "watchdog-replaced",
  "subreaper-unavailable",
  "descendants-killed",
  "daemon-adopted",
  "memory-limits",
  "proxy-failed",
] as const;

export const NOTICE_LEVELS = ["info", "warn", "error"] as const;

export const SkippedDependencySchema = Type.Object({
  service: Type.String(),
  reason: Type.String({ description: "Why it was left alone, e.g. `protected: true`." }),
});

export const HealingRecordSchema = Type.Object({
  service: Type.String(),
  action: literals(HEALING_ACTIONS),
  attempt: Type.Integer({ minimum: 0 }),
  tier: Type.Optional(literals(HEALING_TIERS)),
  reason: Type.String(),
  delayMs: Type.Optional(Type.Number()),
  skipped: Type.Optional(
    Type.Array(SkippedDependencySchema, { description: "Dependencies the dependencies tier did not restart (protected ones, or ones the operator owns), and why." }),
  ),
  cause: Type.Optional(literals(FAILURE_CAUSES, { description: "`detected`: what the failure was." })),
  exitCode: Type.Optional(Type.Integer({ description: "`detected` after an exit: its code, when it exited by itself." })),
  signal: Type.Optional(Type.String({ description: "`detected` after an exit: the signal that killed it." })),
  context: Type.Optional(
    Type.Array(LogLineSchema, { maxItems: CRASH_CONTEXT_LINES, description: "`detected`: the service's last output lines before the failure (the crash context), oldest first." }),
  ),
  ts: Type.Number(),
});

/** Several services failing within `healing.incident.window`: one incident (SPEC §16). */
export const IncidentSchema = Type.Object({
  id: Type.Integer({ minimum: 1, description: "Counts incidents of this run; an update repeats the id of the incident it grows." }),
  action: literals(["opened", "grown"] as const, { description: "opened: the threshold was reached; grown: one more service failed within the window." }),
  services: Type.Array(Type.String(), { description: "Every service that failed in it, in the order they failed." }),
  first: Type.Object({ service: Type.String(), reason: Type.String(), ts: Type.Number() }, { description: "The first failure of the incident." }),
  upstream: Type.Optional(Type.String({ description: "A service every failed one depends on (directly or not), when the graph shows one: the likely common cause." })),
  windowMs: Type.Number(),
  ts: Type.Number(),
});

/** A healing record as read back from the store, with the seq of the event that carried it. */
export const StoredHealingSchema = Type.Composite([HealingRecordSchema, Type.Object({ seq: Type.Integer({ minimum: 1 }) })], {
  examples: [{ service: "api", action: "restart-scheduled", attempt: 1, tier: "immediate", reason: "exited with code 1", delayMs: 1000, ts: 1735689600000, seq: 42 }],
});

export const NoticeSchema = Type.Object({
  kind: literals(NOTICE_KINDS),
  level: literals(NOTICE_LEVELS),
  message: Type.String(),
  path: Type.Optional(Type.String({ description: "The file or folder concerned, when there is one." })),
  pid: Type.Optional(Type.Integer({ description: "The process concerned, when there is one." })),
  service: Type.Optional(Type.String({ description: "The service concerned, when there is one." })),
  lastEventTs: Type.Optional(
    Type.Number({ description: "unclean-shutdown: when the previous run recorded its last event (epoch milliseconds); absent when none of its events is on record." }),
  ),
});

const StateChangeSchema = Type.Object({
  name: Type.String(),
  from: ServiceStateSchema,
  to: ServiceStateSchema,
  pid: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String()),
});

const ProbeOutcomeSchema = Type.Object({
  name: Type.String(),
  ok: Type.Boolean(),
  status: literals(["healthy", "unhealthy"]),
  latencyMs: Type.Number(),
  endpoint: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});

const Stamp = {
  seq: Type.Integer({ minimum: 0, description: "Strictly increasing; `log` events repeat the last stored seq." }),
  ts: Type.Number({ description: "Epoch milliseconds." }),
};

export const ServiceEventSchema = Type.Object({ ...Stamp, type: Type.Literal("service"), payload: StateChangeSchema });
export const HealthEventSchema = Type.Object({ ...Stamp, type: Type.Literal("health"), payload: ProbeOutcomeSchema });
export const HealingEventSchema = Type.Object({ ...Stamp, type: Type.Literal("healing"), payload: HealingRecordSchema });
export const StatusEventSchema = Type.Object({
  ...Stamp,
  type: Type.Literal("status"),
  payload: Type.Object({ state: SystemStateSchema, reasons: Type.Array(Type.String()) }),
});
export const NoticeEventSchema = Type.Object({ ...Stamp, type: Type.Literal("notice"), payload: NoticeSchema });
export const IncidentEventSchema = Type.Object({ ...Stamp, type: Type.Literal("incident"), payload: IncidentSchema });
export const LogEventSchema = Type.Object({
  ...Stamp,
  type: Type.Literal("log"),
  payload: Type.Object({ name: Type.String(), stream: StreamNameSchema, line: Type.String() }),
});

/** Any published event, `log` included (the stream sends those only when asked). */
export const EventSchema = Type.Union([ServiceEventSchema, HealthEventSchema, HealingEventSchema, StatusEventSchema, NoticeEventSchema, IncidentEventSchema, LogEventSchema], {
  examples: [{ seq: 17, ts: 1735689600000, type: "service", payload: { name: "api", from: "starting", to: "healthy", pid: 4242 } }],
});

export type HealingAction = (typeof HEALING_ACTIONS)[number];
export type HealingTier = (typeof HEALING_TIERS)[number];
export type HealingRecord = Static<typeof HealingRecordSchema>;
export type FailureCause = (typeof FAILURE_CAUSES)[number];
export type Incident = Static<typeof IncidentSchema>;
export type SkippedDependency = Static<typeof SkippedDependencySchema>;
export type StoredHealing = Static<typeof StoredHealingSchema>;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
export type Notice = Static<typeof NoticeSchema>;
/** The payload of a `service` event: one state change. */
export type StateChange = Static<typeof StateChangeSchema>;
/** The payload of a `health` event: a probe result that changed the health status. */
export type ProbeOutcome = Static<typeof ProbeOutcomeSchema>;

/** An event as published: a strictly increasing `seq` and a timestamp. */
export type OrchestratorEvent = Static<typeof EventSchema>;

/** An event as emitted, before the bus stamps it. */
export type EventBody = Unstamped<OrchestratorEvent>;

type Unstamped<E> = E extends unknown ? Omit<E, "seq" | "ts"> : never;
