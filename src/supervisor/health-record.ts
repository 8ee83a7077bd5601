/** What the probes said about one service: the health shown, the last 100 results, and the failures in a row. */
import type { ProbeResult, ServiceHealth } from "../contract/service-view";
import { ProbeHistory } from "../health/history";

export class HealthRecord {
  #current: ServiceHealth = { status: "unknown", latencyMs: null, endpoint: null, checkedAt: null, error: null };
  readonly #history = new ProbeHistory();
  // Unlike the history's count, this one starts again with each process.
  #failures = 0;

  get current(): Readonly<ServiceHealth> {
    return this.#current;
  }

  /** Failures in a row since the last pass or the last spawn. */
  get failures(): number {
    return this.#failures;
  }

  /** A probe result of the current process: kept, shown, counted. True when the status (healthy / unhealthy) changed. */
  record(result: ProbeResult): boolean {
    this.#history.push(result);
    this.#failures = result.ok ? 0 : this.#failures + 1;
    return this.show(result);
  }

  /** Show `result` without keeping it (the no-probe grace period). True when the status changed. */
  show(result: ProbeResult): boolean {
    const status = result.ok ? "healthy" : "unhealthy";
    const changed = status !== this.#current.status;
    this.#current = { status, latencyMs: result.latencyMs, endpoint: result.endpoint ?? null, checkedAt: result.checkedAt, error: result.error ?? null };
    return changed;
  }

  /** A new process: its failures count from zero (the history and the health shown stay). */
  resetFailures(): void {
    this.#failures = 0;
  }

  list(): ProbeResult[] {
    return this.#history.list();
  }
}
