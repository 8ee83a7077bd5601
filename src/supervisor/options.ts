/** What a Supervisor is built from: the config and the ports it talks through. */
import type { Config, ServiceConfig } from "../contract/config";
import type { StreamName } from "../contract/output";
import type { ProbeResult } from "../contract/service-view";
import type { EventSink } from "../events/sink";
import type { Probe } from "../health/probe";
import type { ProbeMode, ProbeSchedule } from "../health/scheduler";
import type { Clock } from "../lib/clock";
import type { HostView } from "../process/host-view";
import type { Spawner } from "../process/spawner";
import type { RandomSource } from "./backoff";
import type { ReadTextFile } from "./env";

/** How probes get run on a schedule; ProbeScheduler (src/health/scheduler.ts) implements it, tests may drive it by hand. */
export interface ProbeRunner {
  start(name: string, probe: Probe, options: ProbeSchedule, onResult: (result: ProbeResult) => void): void;
  stop(name: string): void;
  /** Startup mode probes eagerly until the first pass; steady mode at `intervalMs`. Optional. */
  setMode?(name: string, mode: ProbeMode): void;
}

export interface SupervisorOptions {
  config: Config;
  spawner: Spawner;
  clock: Clock;
  sink: EventSink;
  /** The probe for a service, or null when it has no health check (`health: false`). */
  createProbe(service: ServiceConfig): Probe | null;
  /** Runs the probes. Default: a ProbeScheduler on `clock` (pass your own to read its stats). */
  probeRunner?: ProbeRunner;
  /** Jitter source in [0, 1). Default Math.random. */
  random?: RandomSource;
  /** The orchestrator's own environment, inherited by every service. Default: empty. */
  processEnv?: Record<string, string | undefined>;
  /** Reads envFiles. Default: no file exists. */
  readTextFile?: ReadTextFile;
  /** Every output line of every service. */
  onOutput?(name: string, stream: StreamName, line: string): void;
  /** How long a service without a probe must run to count as ready. Default 1000 ms. */
  noProbeReadyMs?: number;
  /**
   * Who holds a port (the port guard), how much memory a service uses (limits.memory).
   * Default: BLIND_HOST, which sees no holder and measures nothing; the app wires createHostView.
   */
  host?: HostView;
  /**
   * Wait until the proxy's open connections to instance `name` on `port` have closed, at most
   * `timeoutMs` (SPEC §15: a stopping instance drains first). Default: nothing to wait for.
   */
  drain?(name: string, port: number, timeoutMs: number): Promise<void>;
}
