/**
 * The port guard (SPEC §13): a service with a `port` starts only once nothing listens there.
 * - Someone else holds it: the start does not happen and spends no restart attempt; the
 *   service is `blocked` with a reason naming the holder, and starts once the port is free.
 * - An earlier process of the same service holds it (a restart racing the old process's
 *   death, a leftover the escape catcher missed): that process is killed and the start waits
 *   without a state change; if it still holds the port after OWN_WAIT_MS, the service is
 *   blocked as for anyone else.
 * - A listening socket no process holds (one being torn down: seen here right after a killed
 *   listener's exit) gets UNSEEN_WAIT_MS the same way before the service is blocked.
 * While a start waits, one timer on the clock looks again (RECHECK_MS, or OWN_RECHECK_MS
 * while an own process is dying); no timer runs when nothing waits.
 */
import type { HeldPort } from "../process/host-view";
import { describeHolder } from "../process/port-holder";
import type { Timer } from "../lib/clock";
import type { ServiceState } from "../contract/states";
import type { SupervisorCore } from "./core";
import type { ServiceRuntime } from "./service-runtime";

export const RECHECK_MS = 1000;
export const OWN_RECHECK_MS = 100;
export const OWN_WAIT_MS = 5000;
/** A LISTEN socket no process holds an fd of is one being torn down (a killed listener's, often our own restart's): it gets this long to go. */
export const UNSEEN_WAIT_MS = 1000;

interface Waiter {
  start: () => void;
  port: number;
  /** The action token and state it was held in: a stop, a degrade or another start since then drops it. */
  token: number;
  state: ServiceState;
  /** When the own process (or an unseen holder) was first seen holding the port; null once blocked. */
  ownSince: number | null;
}

export class PortGuard {
  private readonly waiting = new Map<ServiceRuntime, Waiter>();
  private timer: Timer | null = null;
  private timerMs = 0;

  constructor(private readonly core: SupervisorCore) {}

  /** Whether `service`'s start waits here for its port. */
  isWaiting(service: ServiceRuntime): boolean {
    const waiter = this.waiting.get(service);
    return waiter !== undefined && this.isCurrent(service, waiter);
  }

  /**
   * True when `service` may start now (no port, or the port is free). Otherwise `start` is
   * kept and called once the port is free, and the answer is false.
   */
  admit(service: ServiceRuntime, start: () => void): boolean {
    const previous = this.waiting.get(service);
    this.waiting.delete(service);
    const port = service.config.port;
    if (port === undefined) return true;
    const holder = this.core.host.findPortHolder(port);
    if (!holder) return true;
    const ownSince = previous && this.isCurrent(service, previous) ? previous.ownSince : undefined;
    this.hold(service, { start, port, token: service.actionToken, state: service.state, ownSince: ownSince ?? null }, holder, ownSince === undefined);
    return false;
  }

  /** Drop every waiting start (shutdown). */
  cancelAll(): void {
    this.waiting.clear();
    this.timer?.cancel();
    this.timer = null;
  }

  private hold(service: ServiceRuntime, waiter: Waiter, holder: HeldPort, firstSight: boolean): void {
    const now = this.core.clock.now();
    const own = holder.service === service.name && !holder.self;
    const unseen = holder.pid === null;
    if ((own || unseen) && (firstSight || waiter.ownSince !== null)) {
      waiter.ownSince ??= now;
      if (now - waiter.ownSince < (own ? OWN_WAIT_MS : UNSEEN_WAIT_MS)) {
        if (own) this.core.host.killLeftover(holder);
        return this.keep(service, waiter);
      }
    }
    // Kept before the state changes: whoever the change wakes (the launcher) sees it waits here.
    waiter.ownSince = null;
    waiter.state = "blocked";
    this.keep(service, waiter);
    const reason = describeBlock(waiter.port, holder, service.name, own);
    service.recordReason(reason);
    if (service.state !== "blocked") this.core.apply(service, "block", reason);
  }

  private keep(service: ServiceRuntime, waiter: Waiter): void {
    this.waiting.set(service, waiter);
    this.arm();
  }

  private isCurrent(service: ServiceRuntime, waiter: Waiter): boolean {
    return this.core.services.get(service.name) === service && service.actionToken === waiter.token && service.state === waiter.state;
  }

  private arm(): void {
    const ms = [...this.waiting.values()].some((w) => w.ownSince !== null) ? OWN_RECHECK_MS : RECHECK_MS;
    if (this.timer && this.timerMs <= ms) return;
    this.timer?.cancel();
    this.timerMs = ms;
    this.timer = this.core.clock.setTimeout(() => this.recheck(), ms);
  }

  private recheck(): void {
    this.timer = null;
    if (this.core.shuttingDown) return this.cancelAll();
    for (const [service, waiter] of [...this.waiting]) {
      if (!this.isCurrent(service, waiter)) {
        this.waiting.delete(service);
        continue;
      }
      // Blocked: only whether something still listens (cheap); who it is was said when it blocked.
      if (waiter.ownSince === null && this.core.host.isListening(waiter.port)) continue;
      const holder = this.core.host.findPortHolder(waiter.port);
      if (holder) {
        this.hold(service, waiter, holder, false);
        continue;
      }
      this.waiting.delete(service);
      if (service.state === "blocked") this.core.apply(service, "unblock", `port ${waiter.port} is free`);
      waiter.start();
    }
    if (this.waiting.size > 0) this.arm();
  }
}

/** The reason a start is blocked: who holds the port, and whose that is. */
export function describeBlock(port: number, holder: HeldPort, name: string, own: boolean): string {
  const who = describeHolder(holder);
  if (holder.self) return `port ${port} is held by this orchestrator itself (${who})`;
  if (own) return `port ${port} is still held by ${who}, an earlier process of ${name} that did not exit when killed`;
  if (holder.service !== undefined) return `port ${port} is held by ${who} of service ${holder.service}, started by this orchestrator`;
  return `port ${port} is held by ${who}, not started by this orchestrator`;
}
