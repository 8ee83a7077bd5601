/**
 * Stopping: one service (its shutdown signal, then SIGKILL after its timeout), or all of them
 * in reverse dependency order, where a service stops as soon as everything that depends on it
 * is down, so independent branches stop in parallel.
 */
import type { SupervisorCore } from "./core";
import { stopChild, stopProbing } from "./lifecycle";
import type { ServiceRuntime } from "./service-runtime";
import { canTransition } from "./transition";

/** Bring `service` to `stopped`; joins a stop already under way; a no-op when it is stopped. */
export function stopService(core: SupervisorCore, service: ServiceRuntime, reason = "stop requested"): Promise<void> {
  if (service.stopPromise) return service.stopPromise;
  service.takeActionToken();
  service.timers.cancelAll();
  stopProbing(core, service);
  if (service.state === "stopped" || !canTransition(service.state, "stop")) return stopChild(service);
  const next = core.apply(service, "stop", reason);
  if (next === "stopped") return stopChild(service);
  return service.holdStop(drain(core, service).then(() => stopChild(service)), () => core.apply(service, "stopped", reason));
}

// Behind a proxy (SPEC §15) a stopping instance gets no new connections; its open ones finish first, up to shutdown.timeout.
function drain(core: SupervisorCore, service: ServiceRuntime): Promise<void> {
  const { proxy, port, shutdown } = service.config;
  const hook = core.options.drain;
  if (!proxy || !hook || port === undefined || !service.child) return Promise.resolve();
  return hook(service.name, port, shutdown.timeoutMs).catch(() => {});
}

/** Stop every service, dependents before their dependencies; resolves when all are down. */
export function stopAll(core: SupervisorCore, reason: string): Promise<void> {
  const services = core.ordered;
  if (services.length === 0) return Promise.resolve();
  const waitingOn = new Map<ServiceRuntime, number>();
  for (const service of services) waitingOn.set(service, service.dependents.length);
  return new Promise((resolve) => {
    let left = services.length;
    const stopOne = (service: ServiceRuntime): void => {
      void stopService(core, service, reason).then(() => {
        for (const link of service.dependencies) {
          const count = waitingOn.get(link.service)! - 1;
          waitingOn.set(link.service, count);
          if (count === 0) stopOne(link.service);
        }
        if (--left === 0) resolve();
      });
    };
    for (const service of services) if (waitingOn.get(service) === 0) stopOne(service);
  });
}
