/** What the mutating routes answer: an accepted action, a reload's diff or its rejection, an error. */
import { Type, type Static } from "@sinclair/typebox";
import { literals } from "./schema-helpers";
import { ServiceStateSchema } from "./state-schemas";

export const SERVICE_ACTIONS = ["start", "stop", "restart"] as const;

export type ServiceActionName = (typeof SERVICE_ACTIONS)[number];

/** Every error the API answers with (with a fitting status). */
export const ErrorSchema = Type.Object(
  {
    error: Type.String({ description: "A stable machine-readable code, e.g. UNKNOWN_SERVICE." }),
    message: Type.String({ description: "What was expected and what was found." }),
  },
  { examples: [{ error: "UNKNOWN_SERVICE", message: 'expected one of the enabled services (api, db), got "apx"' }] },
);

export const ActionAcceptedSchema = Type.Object(
  {
    service: Type.String(),
    action: literals(SERVICE_ACTIONS),
    from: ServiceStateSchema,
    accepted: Type.Literal(true, { description: "The action was accepted; its progress shows on the stream." }),
  },
  { examples: [{ service: "api", action: "restart", from: "healthy", accepted: true }] },
);

/** A problem found in a manifest or a discovered package.json, with its position. */
export const IssueSchema = Type.Object({
  file: Type.String(),
  line: Type.Integer(),
  col: Type.Integer(),
  path: Type.String({ description: "Dotted path inside the file, e.g. `services.api.port`." }),
  message: Type.String(),
  severity: literals(["error", "warning"]),
});

const ServiceFieldsSchema = Type.Object({ name: Type.String(), fields: Type.Array(Type.String()) });

/**
 * What a reload changes (src/supervisor/config-diff.ts computes it). Only enabled services are
 * listed: one that becomes `disabled: true` is removed, one re-enabled is added. Lists are sorted by name.
 */
export const ReloadDiffSchema = Type.Object(
  {
    added: Type.Array(Type.String()),
    removed: Type.Array(Type.String()),
    changed: Type.Array(ServiceFieldsSchema, {
      description: "Restarted with the new config: a field that needs a new process changed. `fields` names every changed field, e.g. command, env.LOG_LEVEL, health.",
    }),
    unchanged: Type.Array(Type.String()),
    updated: Type.Array(ServiceFieldsSchema, { description: "Changed in place, same pid: only fields that apply to the running service changed (restart policy, dependsOn, timings...)." }),
    ignored: Type.Array(Type.Object({ key: Type.String(), reason: Type.String() }), {
      description: "Keys that need a restart of the orchestrator (api.*, state.dir, launch.concurrency).",
    }),
    ready: Type.Optional(Type.Array(Type.String(), { description: "With `?wait=true`: changed services that became ready with their new config." })),
    rolledBack: Type.Optional(
      Type.Array(Type.String(), { description: "With `?wait=true`: changed services not ready within their startupTimeout, put back to their previous config (a `rolled-back` healing event each)." }),
    ),
  },
  {
    examples: [
      { added: ["search"], removed: [], changed: [{ name: "api", fields: ["env.LOG_LEVEL"] }], unchanged: ["db"], updated: [{ name: "db", fields: ["restart.policy"] }], ignored: [] },
    ],
  },
);

export const ReloadRejectedSchema = Type.Composite([ErrorSchema, Type.Object({ issues: Type.Array(IssueSchema) })]);

export type ErrorBody = Static<typeof ErrorSchema>;
export type ActionAccepted = Static<typeof ActionAcceptedSchema>;
/** A manual action as the supervisor accepts it; `done` resolves once it has been carried out (it stays on the server). */
export type ServiceAction = Omit<ActionAccepted, "accepted"> & { done: Promise<void> };
export type Issue = Static<typeof IssueSchema>;
export type ReloadDiff = Static<typeof ReloadDiffSchema>;
export type ReloadRejected = Static<typeof ReloadRejectedSchema>;
/** What a reload did: its diff, or the manifest's problems (then nothing changed). */
export type ReloadOutcome = { ok: true; diff: ReloadDiff } | { ok: false; issues: Issue[] };
