/** Counters of one proxy (SPEC §15): connections and bytes, in total and per instance, for /orchestrator/stats and /metrics. */

import type { ProxyStatsView } from "../contract/system-view";

export type { ProxyStatsView };
type InstanceCounters = ProxyStatsView["instances"][string];

export class ProxyStats {
  #accepted = 0;
  #refused = 0;
  #active = 0;
  readonly #instances = new Map<string, InstanceCounters>();

  accepted(): void {
    this.#accepted++;
  }

  refused(): void {
    this.#refused++;
  }

  opened(name: string): void {
    const counters = this.of(name);
    counters.connections++;
    counters.active++;
    this.#active++;
  }

  closed(name: string): void {
    this.of(name).active--;
    this.#active--;
  }

  bytes(name: string, toInstance: number, fromInstance: number): void {
    const counters = this.of(name);
    counters.bytesIn += toInstance;
    counters.bytesOut += fromInstance;
  }

  view(group: string, host: string, port: number): ProxyStatsView {
    const instances: Record<string, InstanceCounters> = {};
    for (const [name, counters] of [...this.#instances].sort(([a], [b]) => a.localeCompare(b))) instances[name] = { ...counters };
    return { group, host, port, accepted: this.#accepted, refused: this.#refused, active: this.#active, instances };
  }

  private of(name: string): InstanceCounters {
    let counters = this.#instances.get(name);
    if (!counters) this.#instances.set(name, (counters = { connections: 0, active: 0, bytesIn: 0, bytesOut: 0 }));
    return counters;
  }
}
