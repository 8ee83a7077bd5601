/**
 * The state words every layer shares. Plain lists, no TypeBox, so the dashboard can import
 * them (and state-classes.ts) without bundling a schema library; their schemas are in
 * read-model.ts, their classes in state-classes.ts.
 */

/** A service's states (SPEC §9). The service transition table is src/supervisor/transition.ts. */
export const SERVICE_STATES = [
  "pending",
  "starting",
  "healthy",
  "unhealthy",
  "backoff",
  "stopping",
  "stopped",
  "blocked",
  "degraded",
  "failed",
  "quarantined",
  "completed",
] as const;

export type ServiceState = (typeof SERVICE_STATES)[number];

/** The orchestrator's overall states; their transition table is ./system-transition.ts. */
export const SYSTEM_STATES = ["starting", "ready", "degraded", "stopping", "stopped"] as const;

export type SystemState = (typeof SYSTEM_STATES)[number];

/** What a dependent waits for its dependency to reach (`dependsOn: { db: healthy }`). */
export const DEPENDENCY_CONDITIONS = ["healthy", "started", "completed"] as const;

export type DependencyCondition = (typeof DEPENDENCY_CONDITIONS)[number];
