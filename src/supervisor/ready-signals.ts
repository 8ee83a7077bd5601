/**
 * Readiness the service announces itself (SPEC §14): a matching output line, sd_notify
 * messages (READY=1, STATUS=, MAINPID=, STOPPING=1, WATCHDOG=1, EXTEND_TIMEOUT_USEC=), a
 * newline on its notification fd, or a readiness-only probe. With `ready` set, only these
 * make it ready; the health probe is its liveness, started once it is. A watchdog ping
 * that does not come in time is a failure with reason `watchdog`, through the ladder.
 */
import type { ReadyConfig } from "../contract/config";
import type { ProbeResult, ReadinessSource } from "../contract/service-view";
import { isRunning } from "../contract/state-classes";
import type { NotifyFields } from "../process/spawner";
import type { SupervisorCore } from "./core";
import type { ServiceRuntime } from "./service-runtime";

/** Where a service's readiness comes from, as the API names it: `health` (its first passing probe), `none` (running 1 s), or its `ready` source. */
export function readinessSourceOf(service: ServiceRuntime): ReadinessSource {
  const ready = service.config.ready;
  if (!ready) return service.probe ? "health" : "none";
  return ready.kind === "probe" ? ready.check.kind : ready.kind;
}

/** The key the readiness probe runs under, beside the liveness probe's (the service's name). */
export const readyProbeKey = (service: { name: string; probeKey?: string }): string => `${service.probeKey ?? service.name}\u0000ready`;

const patterns = new Map<string, RegExp>();

// Compiled once per pattern (check has rejected one that does not compile).
function compile(pattern: string): RegExp | null {
  let regex = patterns.get(pattern);
  if (regex) return regex;
  try {
    regex = new RegExp(pattern);
  } catch {
    return null;
  }
  patterns.set(pattern, regex);
  return regex;
}

/** `ready: { log }`: a starting service's output line that matches makes it ready. */
export function watchReadyLine(core: SupervisorCore, service: ServiceRuntime, generation: number, line: string, markReady: MarkReady): void {
  const ready = service.config.ready;
  if (ready?.kind !== "log" || service.state !== "starting" || service.generation !== generation) return;
  if (compile(ready.pattern)?.test(line)) markReady(core, service, `log line matched: ${truncate(line)}`);
}

export type MarkReady = (core: SupervisorCore, service: ServiceRuntime, signal: string) => void;

/**
 * What came through the notification channel of the spawn `generation`. What it says of
 * itself (STATUS=, MAINPID=, STOPPING=1) is kept while no newer spawn came, also while it is
 * being stopped; what acts (READY=1, the watchdog, EXTEND_TIMEOUT_USEC) needs it to be the
 * live process. False when it was ignored.
 */
export function handleNotify(core: SupervisorCore, service: ServiceRuntime, generation: number, fields: NotifyFields, markReady: MarkReady): boolean {
  const record = service.readiness;
  if (record.spawn !== generation) return false;
  if (fields.STATUS !== undefined) record.setStatus(fields.STATUS);
  const mainPid = Number(fields.MAINPID);
  if (Number.isInteger(mainPid) && mainPid > 0) record.setMainPid(mainPid);
  if (fields.STOPPING === "1") record.markStopping();
  if (service.generation !== generation || !service.alive) return false;
  const ready = service.config.ready;
  if (fields.EXTEND_TIMEOUT_USEC !== undefined) extendStartup(core, service, Number(fields.EXTEND_TIMEOUT_USEC) / 1000);
  if (fields.WATCHDOG_USEC !== undefined && Number(fields.WATCHDOG_USEC) > 0) record.setWatchdog(Number(fields.WATCHDOG_USEC) / 1000);
  if (fields.WATCHDOG === "trigger") {
    failWatchdog(core, service, generation, "the service asked for it (WATCHDOG=trigger)");
    return true;
  }
  if (fields.WATCHDOG === "1" || fields.WATCHDOG_USEC !== undefined) armWatchdog(core, service);
  if (fields.READY === "1" && service.state === "starting" && (ready?.kind === "systemd" || ready?.kind === "fd")) {
    markReady(core, service, ready.kind === "fd" ? `newline on fd ${ready.fd}` : "READY=1");
  }
  return true;
}

/** At spawn: the startup deadline is known (EXTEND_TIMEOUT_USEC moves it), and a watchdog is armed. */
export function beginSignals(core: SupervisorCore, service: ServiceRuntime): void {
  service.readiness.setDeadline(core.clock.now() + service.config.startupTimeoutMs);
  if (service.readiness.watchdogMs !== null) armWatchdog(core, service);
}

/** (Re)arm the watchdog: no ping within its time fails the service. */
export function armWatchdog(core: SupervisorCore, service: ServiceRuntime): void {
  const ms = service.readiness.watchdogMs;
  if (ms === null) return;
  const generation = service.generation;
  service.readiness.recordPing(core.clock.now());
  service.timers.arm("watchdog", core.clock, ms, () => failWatchdog(core, service, generation, `no WATCHDOG=1 within ${formatMs(ms)}`));
}

function failWatchdog(core: SupervisorCore, service: ServiceRuntime, generation: number, why: string): void {
  if (service.generation !== generation || !isRunning(service.state) || service.state === "degraded") return;
  service.timers.cancel("watchdog");
  core.fail(service, `watchdog: ${why}`, { cause: "watchdog" });
}

// EXTEND_TIMEOUT_USEC: the start may take that much longer from now; it never shortens the deadline.
function extendStartup(core: SupervisorCore, service: ServiceRuntime, ms: number): void {
  const deadline = service.readiness.deadline;
  if (service.state !== "starting" || !(ms > 0) || deadline === null) return;
  const wanted = core.clock.now() + ms;
  if (wanted <= deadline) return;
  service.readiness.setDeadline(wanted);
  const generation = service.generation;
  service.timers.arm("startup", core.clock, ms, () => {
    if (generation === service.generation && service.state === "starting") core.fail(service, `not ready within ${service.config.startupTimeoutMs}ms (extended by the service to ${formatMs(wanted - service.startedAt!)})`, { cause: "startup" });
  });
}

/** `ready: { http | tcp | exec }`: probe for readiness until the first pass, then hand over to the liveness probe. */
export function startReadyProbe(core: SupervisorCore, service: ServiceRuntime, generation: number, markReady: MarkReady): void {
  const ready = service.config.ready;
  const probe = service.readyProbe;
  if (ready?.kind !== "probe" || !probe) return;
  const key = readyProbeKey(service);
  core.probeRunner.stop(key);
  core.probeRunner.start(key, probe, { intervalMs: ready.intervalMs, timeoutMs: ready.timeoutMs }, (result: ProbeResult) => {
    if (service.generation !== generation || service.state !== "starting") return;
    if (!result.ok) return void service.readiness.recordCheck(result.error ?? "failed");
    core.probeRunner.stop(key);
    markReady(core, service, `${ready.check.kind} probe passed${result.endpoint ? ` (${result.endpoint})` : ""}`);
  });
}

export function stopReadyProbe(core: SupervisorCore, service: ServiceRuntime): void {
  if (service.readyProbe) core.probeRunner.stop(readyProbeKey(service));
}

/** The channel the spawner opens for the service: a socket for `notify: systemd`, a pipe for `notify: fd`. */
export function notifyChannelOf(ready: ReadyConfig | undefined): { kind: "systemd"; watchdogMs?: number } | { kind: "fd"; fd: number } | undefined {
  if (ready?.kind === "systemd") return ready.watchdogMs === undefined ? { kind: "systemd" } : { kind: "systemd", watchdogMs: ready.watchdogMs };
  if (ready?.kind === "fd") return { kind: "fd", fd: ready.fd };
  return undefined;
}

function truncate(line: string): string {
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}
