/**
 * How a restart of a replicated service proceeds under its `update` (SPEC §15), decided in one
 * place: the supervisor acts on it, and `check` warns where the manifest asks for more.
 */
import type { ServiceConfig } from "./config";

/** Whether a restart of `service` starts its replacement first (a proxy and `maxSurge` above 0). */
export function surges(service: ServiceConfig): boolean {
  return service.proxy !== undefined && (service.update?.maxSurge ?? 1) > 0;
}

/** How many instances a restart takes down at once: one while surging, else `maxUnavailable`, at least 1. */
export function restartBatchSize(service: ServiceConfig): number {
  return surges(service) ? 1 : Math.max(1, service.update?.maxUnavailable ?? 1);
}
