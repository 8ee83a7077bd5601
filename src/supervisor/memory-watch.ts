/**
 * `limits.memory` (SPEC §13): every SAMPLE_MS, the RSS of each limited service's processes
 * (its group, and what escaped it; HostView.measureMemory). One over its ceiling has failed,
 * with a reason that starts `memory:` and names both sizes; the ladder handles it at the
 * graceful tier or later (a process still alive gets its shutdown signal, not a SIGKILL).
 * The timer runs only while a limited service has a process; nothing runs otherwise. The first
 * limited service also makes the orchestrator say, once, how limits are enforced on this host.
 */
import { isRunning } from "../contract/state-classes";
import type { Timer } from "../lib/clock";
import { humanBytes } from "../lib/format";
import type { GroupMemory } from "../process/host-view";
import type { SupervisorCore } from "./core";
import type { ServiceRuntime } from "./service-runtime";

export const SAMPLE_MS = 1000;

export class MemoryWatch {
  private readonly watched = new Set<ServiceRuntime>();
  private timer: Timer | null = null;
  private announced = false;

  constructor(private readonly core: SupervisorCore) {
    core.onStateChange((service, _from, to) => {
      if (to === "starting") this.watch(service);
    });
  }

  /** Stop sampling (shutdown). */
  cancelAll(): void {
    this.watched.clear();
    this.timer?.cancel();
    this.timer = null;
  }

  private watch(service: ServiceRuntime): void {
    if (service.config.limits.memoryBytes === undefined || this.core.shuttingDown) return;
    this.announce();
    this.watched.add(service);
    this.timer ??= this.core.clock.setTimeout(() => this.sample(), SAMPLE_MS);
  }

  private sample(): void {
    this.timer = null;
    const due: { service: ServiceRuntime; pid: number; limit: number }[] = [];
    for (const service of this.watched) {
      const limit = service.config.limits.memoryBytes;
      const pid = service.child?.pid ?? 0;
      const current = this.core.services.get(service.name) === service && limit !== undefined && pid > 0 && isRunning(service.state);
      if (current) due.push({ service, pid, limit });
      else this.watched.delete(service); // its next start watches it again
    }
    if (due.length === 0 || this.core.shuttingDown) return;
    const usage = this.core.host.measureMemory(due.map((d) => d.pid));
    for (const { service, pid, limit } of due) {
      const used = usage.get(pid);
      if (!used || used.rssBytes <= limit || service.child?.pid !== pid) continue;
      this.watched.delete(service);
      this.core.fail(service, describeOverLimit(used, limit), { floor: "graceful", cause: "memory" });
    }
    // a restart above may have armed it already (its `starting` watches the service again)
    if (this.watched.size > 0) this.timer ??= this.core.clock.setTimeout(() => this.sample(), SAMPLE_MS);
  }

  private announce(): void {
    if (this.announced) return;
    this.announced = true;
    const names = this.core.ordered.filter((s) => s.config.limits.memoryBytes !== undefined).map((s) => s.name);
    const verdict = this.core.host.memoryEnforcement();
    const how = `limits.memory (${names.join(", ")}) is enforced by sampling the RSS of each service's processes every ${SAMPLE_MS / 1000} s`;
    const cgroup = verdict.usable ? `cgroup v2 memory.max is available at ${verdict.dir} but not used by this version` : `cgroup v2 memory.max is not used: ${verdict.reason}`;
    this.core.sink.emit({ type: "notice", payload: { kind: "memory-limits", level: "info", message: `${how}; ${cgroup}` } });
  }
}

/** `memory: RSS 80.0 MiB (83886080 bytes, 3 processes) is over limits.memory 64.0 MiB (67108864 bytes)` */
export function describeOverLimit(used: GroupMemory, limit: number): string {
  const processes = `${used.processes} ${used.processes === 1 ? "process" : "processes"}`;
  return `memory: RSS ${humanBytes(used.rssBytes)} (${used.rssBytes} bytes, ${processes}) is over limits.memory ${humanBytes(limit)} (${limit} bytes)`;
}
