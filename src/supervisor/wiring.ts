/** Building service records and the dependency links between them, at start and on reload. */
import type { GraphEdge } from "../contract/graph-json";
import type { ServiceConfig } from "../contract/config";
import type { SupervisorCore } from "./core";
import { handleBreakerChange } from "./degradation";
import { secretsOf, withholdSecrets } from "./env";
import { ServiceRuntime } from "./service-runtime";

/** A fresh, pending record for `service` at launch position `order` (not yet added to `core`). */
export function createRuntime(core: SupervisorCore, service: ServiceConfig, order: number): ServiceRuntime {
  const runtime: ServiceRuntime = new ServiceRuntime(
    service,
    order,
    // an exec probe runs with the service's `env`: the API token stays out of it too
    core.options.createProbe({ ...service, env: withholdSecrets(service.env, secretsOf(core.config)) }),
    core.config.circuitBreaker,
    core.clock,
    core.random,
    (state, failures) => handleBreakerChange(core, runtime, state, failures),
    createReadyProbe(core, service),
  );
  return runtime;
}

// `ready: { http | tcp | exec }`: the same probe factory, given the readiness check and its timing.
function createReadyProbe(core: SupervisorCore, service: ServiceConfig) {
  const ready = service.ready;
  if (ready?.kind !== "probe") return null;
  const health = { ...service.health, check: ready.check, intervalMs: ready.intervalMs, timeoutMs: ready.timeoutMs };
  return core.options.createProbe({ ...service, health, env: withholdSecrets(service.env, secretsOf(core.config)) });
}

/**
 * Point every record's `dependencies` and `dependents` at the records now in `core`, from
 * `edges` (dependent → dependency). Edges naming a service not in `core` are dropped, and a
 * record not named by any edge ends up with no links.
 */
export function wireDependencies(core: SupervisorCore, edges: readonly GraphEdge[]): void {
  for (const service of core.ordered) service.clearLinks();
  for (const edge of edges) {
    const dependent = core.services.get(edge.from);
    const dependency = core.services.get(edge.to);
    if (!dependent || !dependency) continue;
    dependent.linkTo(dependency, edge.condition);
  }
}
