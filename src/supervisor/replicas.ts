/**
 * SPEC §15 replicas: one manifest service with `replicas: N` (or a `proxy`) runs as N services
 * `NAME@1..N`, each a record of its own in the supervisor. Expansion is pure and happens when
 * the supervisor takes a config (at start and on every reload), so a reload that changes
 * `replicas` simply adds or removes the highest instances.
 */
import type { Config, HealthCheck, ServiceConfig } from "../contract/config";

/** `web@2`. */
export const instanceName = (group: string, index: number): string => `${group}@${index}`;

/** Whether `service` runs as instances (`replicas` above 1, or a proxy in front of it). */
export function isReplicated(service: ServiceConfig): boolean {
  return (service.replicas ?? 1) > 1 || service.proxy !== undefined;
}

/** `config` with every replicated service replaced by its instances, and dependencies on it by dependencies on each instance. */
export function expandReplicas(config: Config): Config {
  if (!config.services.some(isReplicated)) return config;
  const members = new Map<string, string[]>();
  for (const service of config.services) {
    if (!isReplicated(service) || service.replica) continue;
    members.set(service.name, Array.from({ length: service.replicas ?? 1 }, (_, i) => instanceName(service.name, i + 1)));
  }
  const services = config.services.flatMap((service) => (members.has(service.name) ? expandService(service) : [service]));
  for (const service of services) {
    if (!service.dependsOn.some((d) => members.has(d.name))) continue;
    service.dependsOn = service.dependsOn.flatMap((d) => (members.get(d.name) ?? [d.name]).map((name) => ({ name, condition: d.condition })));
  }
  return { ...config, services };
}

function expandService(service: ServiceConfig): ServiceConfig[] {
  return Array.from({ length: service.replicas ?? 1 }, (_, i) => {
    const index = i + 1;
    const port = service.port === undefined ? undefined : service.port + i;
    const instance: ServiceConfig = {
      ...structuredClone(service),
      name: instanceName(service.name, index),
      replica: { group: service.name, index, ...(service.port === undefined ? {} : { basePort: service.port }) },
    };
    instance.env.ORCHESTRATOR_REPLICA = String(index);
    return port === undefined ? instance : movePort(instance, port);
  });
}

/**
 * `service` listening on `port` instead: PORT, and the probes that aimed at its own port. Used
 * for each instance and for a replacement on a spare port (rollout.ts).
 */
export function movePort(service: ServiceConfig, port: number): ServiceConfig {
  const from = service.port;
  const moved: ServiceConfig = { ...service, port, env: { ...service.env, PORT: String(port) } };
  const aim = <T extends HealthCheck>(check: T): T => (check.kind !== "exec" && check.port === from ? { ...check, port } : check);
  if (service.health.check) moved.health = { ...service.health, check: aim(service.health.check) };
  if (service.ready?.kind === "probe") moved.ready = { ...service.ready, check: aim(service.ready.check) };
  return moved;
}

/** The names of the groups in `config` (replicated manifest services), with their instance names in index order. */
export function groupsOf(services: readonly { name: string; config: ServiceConfig }[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { name, config } of services) {
    if (!config.replica) continue;
    const list = groups.get(config.replica.group) ?? [];
    if (!list.includes(name)) list.push(name);
    groups.set(config.replica.group, list);
  }
  for (const list of groups.values()) list.sort((a, b) => Number(a.split("@")[1]) - Number(b.split("@")[1]));
  return groups;
}
