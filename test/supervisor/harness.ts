/** A Supervisor wired to fakes: FakeClock, FakeSpawner, a probe runner the test drives, an array sink. */
import type { EventSink } from "../../src/events/sink";
import type { EventBody, OrchestratorEvent } from "../../src/contract/events";
import type { Probe } from "../../src/health/probe";
import type { ProbeResult } from "../../src/contract/service-view";
import { FakeClock } from "../../src/lib/clock";
import type { Config, ServiceConfig } from "../../src/contract/config";
import { FakeSpawner } from "../../src/process/fake-spawner";
import type { ProbeMode } from "../../src/health/scheduler";
import type { ProbeRunner, SupervisorOptions } from "../../src/supervisor/options";
import type { ServiceState } from "../../src/contract/states";
import { Supervisor } from "../../src/supervisor/supervisor";
import { makeConfig, makeService, type ServiceOptions } from "../graph/make-service";

export { makeService };

export class MemorySink implements EventSink {
  readonly events: OrchestratorEvent[] = [];
  constructor(private readonly clock: FakeClock) {}
  emit(body: EventBody): OrchestratorEvent {
    const event = { ...body, seq: this.events.length + 1, ts: this.clock.now() } as OrchestratorEvent;
    this.events.push(event);
    return event;
  }
  /** Every state `name` entered, in order. */
  states(name: string): ServiceState[] {
    return this.events.flatMap((e) => (e.type === "service" && e.payload.name === name ? [e.payload.to] : []));
  }
  /** `name:state` for every service event, in order. */
  transitions(): string[] {
    return this.events.flatMap((e) => (e.type === "service" ? [`${e.payload.name}:${e.payload.to}`] : []));
  }
  healing(name?: string) {
    return this.events.flatMap((e) => (e.type === "healing" && (!name || e.payload.service === name) ? [e.payload] : []));
  }
  statuses() {
    return this.events.flatMap((e) => (e.type === "status" ? [e.payload] : []));
  }
  health(name: string) {
    return this.events.flatMap((e) => (e.type === "health" && e.payload.name === name ? [e.payload] : []));
  }
}

/** Runs nothing by itself: the test reports results with `pass`/`fail`. */
export class ManualProbeRunner implements ProbeRunner {
  readonly active = new Map<string, (result: ProbeResult) => void>();
  readonly modes = new Map<string, ProbeMode>();
  constructor(private readonly clock: FakeClock) {}
  start(name: string, _probe: Probe, _options: { intervalMs: number; timeoutMs: number }, onResult: (result: ProbeResult) => void): void {
    this.active.set(name, onResult);
  }
  stop(name: string): void {
    this.active.delete(name);
  }
  setMode(name: string, mode: ProbeMode): void {
    this.modes.set(name, mode);
  }
  pass(...names: string[]): void {
    for (const name of names) this.report(name, { ok: true, latencyMs: 3, endpoint: "/health", checkedAt: this.clock.now() });
  }
  fail(name: string, times = 1): void {
    for (let i = 0; i < times; i++) this.report(name, { ok: false, latencyMs: 5, error: "HTTP 503", checkedAt: this.clock.now() });
  }
  private report(name: string, result: ProbeResult): void {
    const onResult = this.active.get(name);
    if (!onResult) throw new Error(`expected "${name}" to be probed, but it is not (probed: ${[...this.active.keys()].join(", ") || "none"})`);
    onResult(result);
  }
}

export const NO_PROBE = { check: null, intervalMs: 1000, timeoutMs: 1000, failureThreshold: 3 };
export const PROBED = { check: { kind: "http" as const, endpoints: ["/health"], host: "127.0.0.1" }, intervalMs: 1000, timeoutMs: 1000, failureThreshold: 3 };

export function service(name: string, options: ServiceOptions = {}): ServiceConfig {
  return makeService(name, { restart: { policy: "on-failure", backoffMs: [0], resetAfterMs: 300_000 }, ...options });
}

export interface HarnessOptions {
  concurrency?: number;
  configure?(config: Config): void;
  overrides?: Partial<SupervisorOptions>;
}

export function createHarness(services: ServiceConfig[], options: HarnessOptions = {}) {
  const clock = new FakeClock();
  const spawner = new FakeSpawner({ clock });
  const sink = new MemorySink(clock);
  const probes = new ManualProbeRunner(clock);
  const config = makeConfig(services, options.concurrency ?? 10);
  options.configure?.(config);
  const output: string[] = [];
  const idleProbe: Probe = { check: async () => ({ ok: true, latencyMs: 0, checkedAt: clock.now() }) };
  const supervisor = new Supervisor({
    config,
    spawner,
    clock,
    sink,
    probeRunner: probes,
    random: () => 0,
    createProbe: (s) => (s.health.check ? idleProbe : null),
    onOutput: (name, stream, line) => output.push(`${name} ${stream} ${line}`),
    ...options.overrides,
  });
  const state = (name: string) => supervisor.service(name).state;
  /** Let exit promises and their handlers run. */
  const settle = () => clock.advance(0);
  return { clock, spawner, sink, probes, config, supervisor, output, state, settle };
}
