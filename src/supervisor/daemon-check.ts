/**
 * Daemon detection (SPEC §13): a service that exits 0 within DAEMON_WINDOW_MS of starting while
 * its port or probe target answers, or that left processes outside its group (which the escape
 * catcher killed) or still running in it (a daemon caught before its setsid), forked into the background and let its starter exit. That is not a one-shot
 * that completed: it failed, and its healing event says it looks daemonized and how to keep it
 * in the foreground. A service with `pidFile` is meant to do that and is not judged here.
 */
import type { Probe } from "../health/probe";
import type { Exit, Leftover } from "../process/spawner";
import type { SupervisorCore } from "./core";
import { isCleanExit } from "./policy";
import type { ServiceRuntime } from "./service-runtime";

export const DAEMON_WINDOW_MS = 1000;

const HINT =
  "keep it in the foreground (e.g. `redis-server --daemonize no`, `nginx -g 'daemon off;'`, `postgres` rather than `pg_ctl start`, `php-fpm --nodaemonize`) or set `pidFile:` to supervise the pid it writes";

/** Whether this exit may be a daemonizing starter's: clean, soon after the start, and no pidFile. */
export function mayBeDaemon(core: SupervisorCore, service: ServiceRuntime, exit: Exit, startedAt: number | null): boolean {
  return service.config.pidFile === undefined && isCleanExit(exit) && startedAt !== null && core.clock.now() - startedAt < DAEMON_WINDOW_MS;
}

/**
 * Why `service` looks daemonized, or null when nothing says so: the processes the escape
 * catcher killed when it ended, else its port (or, without one, its probe target) answering.
 */
export async function findDaemonEvidence(core: SupervisorCore, service: ServiceRuntime, exit: Exit, ranMs: number): Promise<string | null> {
  const left = exit.leftovers ?? [];
  const inGroup = exit.groupLeft ?? [];
  const answering = left.length > 0 || inGroup.length > 0 ? null : await probeTarget(core, service);
  let evidence: string;
  if (left.length > 0) evidence = `and left ${describeLeftovers(left)} outside its process group (killed with it)`;
  else if (inGroup.length > 0) evidence = `and left ${describeLeftovers(inGroup)} running in its process group (killed with it)`;
  else if (answering) evidence = `while ${answering} answers`;
  else return null;
  return `looks daemonized: exited with code 0 ${ranMs}ms after starting ${evidence}; ${HINT}`;
}

// One check of what the service serves: its port over TCP, else its own probe.
async function probeTarget(core: SupervisorCore, service: ServiceRuntime): Promise<string | null> {
  const { config } = service;
  let probe: Probe | null = service.probe;
  let target = "its probe target";
  if (config.port !== undefined) {
    probe = core.options.createProbe({ ...config, health: { ...config.health, check: { kind: "tcp", port: config.port, host: "127.0.0.1" } } });
    target = `port ${config.port}`;
  }
  if (!probe) return null;
  const result = await probe.check(config.health.timeoutMs);
  return result.ok ? target : null;
}

function describeLeftovers(left: readonly Leftover[]): string {
  const list = left.map((l) => `pid ${l.pid} (${l.comm})`).join(", ");
  return left.length === 1 ? list : `${left.length} processes: ${list}`;
}
