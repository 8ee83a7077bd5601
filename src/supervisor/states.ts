/** Service states (SPEC §9). The transition table lives in ./transition.ts. */
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
