/** `GET /orchestrator/services/:name/why` and `orchestrator why NAME`: the explanation of a service's state (SPEC §16). */
import { Type, type Static } from "@sinclair/typebox";
import { IncidentSchema, StoredHealingSchema } from "./events";
import { LogLineSchema } from "./output";
import { Nullable } from "./schema-helpers";
import { ServiceStateSchema } from "./state-schemas";
import { BreakerStateSchema } from "./service-view";

export const WhyUpstreamSchema = Type.Object({
  name: Type.String(),
  state: ServiceStateSchema,
  breaker: BreakerStateSchema,
  ready: Type.Boolean({ description: "Whether it meets the condition this service waits for." }),
});

export const WhyEntrySchema = Type.Object({
  ts: Type.Number(),
  kind: Type.String({ description: "`healing` (this service's own), `upstream` (a dependency's breaker), `incident`." }),
  text: Type.String(),
});

export const WhySchema = Type.Object(
  {
    service: Type.String(),
    state: ServiceStateSchema,
    summary: Type.String({ description: "One line: the state and its reason." }),
    waitingFor: Nullable(Type.String({ description: "What has to happen next, or null when nothing is awaited." })),
    upstream: Type.Array(WhyUpstreamSchema, { description: "Its direct dependencies." }),
    incidents: Type.Array(IncidentSchema, { description: "Incidents it was part of, newest first." }),
    attempts: Type.Array(StoredHealingSchema, { description: "Its recent healing records, newest first (attempt, tier, exit code or signal, reason)." }),
    crashContext: Type.Array(
      Type.Object({ ts: Type.Number(), reason: Type.String(), lines: Type.Array(LogLineSchema) }),
      { description: "The last output lines before each of its last failures, newest failure first." },
    ),
    timeline: Type.Array(WhyEntrySchema, { description: "What led here, oldest first." }),
  },
  { examples: [{ service: "api", state: "degraded", summary: "api is degraded: db's circuit breaker is open", waitingFor: "db's circuit breaker to close", upstream: [], incidents: [], attempts: [], crashContext: [], timeline: [] }] },
);

export type WhyUpstream = Static<typeof WhyUpstreamSchema>;
export type WhyEntry = Static<typeof WhyEntrySchema>;
export type Why = Static<typeof WhySchema>;
