/**
 * A running fleet: the supervisor wired to the real adapters (Bun spawner, probes on a
 * scheduler, SQLite event store, output sinks, /proc stats). The CLI's `up` and the API
 * both work through this object; tests build it in process too.
 *
 * Construction throws StateDirError (state.dir unusable) or StoreUnavailableError (the history
 * file cannot be opened even fresh) before anything starts; a history file SQLite cannot read
 * is replaced, and one on a full disk is opened as the disk allows (see open-store.ts); either is
 * said in the first events, after the notice of a previous run that did not stop cleanly.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AlertDispatcher } from "../alerts/dispatcher";
import type { PostAlert } from "../alerts/deliver";
import { EventBus } from "../events/bus";
import { openEventStore } from "../events/open-store";
import type { SqliteEventStore } from "../events/sqlite-store";
import { createProbe } from "../health/create-probe";
import { ProbeScheduler } from "../health/scheduler";
import { systemClock, type Clock, type Timer } from "../lib/clock";
import type { Logger } from "../lib/logger";
import { StorageHealth } from "../lib/storage-health";
import type { Config } from "../contract/config";
import { BunSpawner } from "../process/bun-spawner";
import { createHostView } from "../process/host-view";
import { ProcStatsSampler, type ProcUsage } from "../process/proc-stats";
import type { Spawner } from "../process/spawner";
import { Supervisor, type LaunchResult } from "../supervisor";
import { logEvents } from "./event-log";
import { OutputSinks } from "./output";
import { FleetProxies } from "./proxies";
import { prepareStateDir } from "./state-dir";
import type { PreviousRun } from "./state-lock-holder";
import { announceDegradedStore, announceReplacedStore, announceStorageChange } from "./storage-notices";
import { announceUncleanShutdown } from "./unclean-shutdown";

export interface FleetOptions {
  clock?: Clock;
  logger?: Logger;
  /** Also write every service line to the orchestrator's log (the foreground `up`). */
  logServiceOutput?: boolean;
  processEnv?: Record<string, string | undefined>;
  spawner?: Spawner;
  /** The previous run on this state.dir, when it did not stop cleanly (from the state-dir lock): said in the first event. */
  previousRun?: PreviousRun | null;
  /** How alerts are POSTed (default: fetch with a timeout). */
  postAlert?: PostAlert;
}

const STATS_MIN_INTERVAL_MS = 1000;
/** pids sampled per macrotask when the sample is refreshed in slices (about 1 ms of /proc reads). */
const STATS_SLICE = 50;

export class Fleet {
  readonly clock: Clock;
  readonly store: SqliteEventStore;
  /** How the writes under state.dir are doing (stats, /metrics, the dashboard header). */
  readonly storage: StorageHealth;
  readonly bus: EventBus;
  readonly scheduler: ProbeScheduler;
  readonly output: OutputSinks;
  readonly supervisor: Supervisor;
  /** `alerts:` delivery (SPEC §16): fed by the bus, never awaited by it. */
  readonly alerts: AlertDispatcher;
  readonly startedAt: number;
  /** The built-in proxies (SPEC §15), one per replicated service with a `proxy`. */
  readonly proxies: FleetProxies;
  private readonly spawner: Spawner;
  private readonly sampler: ProcStatsSampler;
  private usage = new Map<number, ProcUsage>();
  private sampledAt = 0;
  private refreshing = false;
  private unlog?: () => void;
  private readonly unalert: () => void;
  private replacedTimer: Timer | null = null;

  constructor(config: Config, options: FleetOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.startedAt = this.clock.now();
    prepareStateDir(config.stateDir);
    // announced in a microtask, when the bus and the supervisor exist
    this.storage = new StorageHealth({ clock: this.clock, onChange: (change) => announceStorageChange(change, this.bus, this.setCondition) });
    const dbPath = join(config.stateDir, "orchestrator.db");
    const opened = openEventStore(dbPath, { clock: this.clock, storage: this.storage }, this.clock.now());
    this.store = opened.store;
    this.bus = new EventBus(this.store, this.clock);
    this.scheduler = new ProbeScheduler(this.clock);
    this.spawner = options.spawner ?? new BunSpawner({ clock: this.clock, onNotice: (payload) => this.bus.emit({ type: "notice", payload }) });
    this.sampler = new ProcStatsSampler({ clock: this.clock });
    const serviceLogger = options.logServiceOutput ? options.logger : undefined;
    this.output = new OutputSinks(config.stateDir, this.bus, serviceLogger, () => this.clock.now(), this.storage, () => this.supervisor.config.services);
    if (options.logger) this.unlog = logEvents(this.bus, options.logger);
    const logger = options.logger;
    this.alerts = new AlertDispatcher({
      clock: this.clock,
      alerts: () => this.supervisor.config.alerts ?? [],
      fleet: () => this.supervisor.config.name,
      post: options.postAlert,
      onGiveUp: (target, alert, error) => logger?.warn({ event: "alert", target, kind: alert.kind, service: alert.service }, `alert to ${target} given up after retries: ${error}`),
    });
    this.unalert = this.bus.subscribe((message) => message.type !== "snapshot" && message.type !== "log" && this.alerts.handle(message));
    this.proxies = new FleetProxies({
      upstreams: (group) => this.supervisor.upstreams(group),
      notice: (payload) => this.bus.emit({ type: "notice", payload }),
      setCondition: (key, reason) => this.setCondition(key, reason),
    });
    this.supervisor = new Supervisor({
      config,
      spawner: this.spawner,
      clock: this.clock,
      sink: this.bus,
      probeRunner: this.scheduler,
      processEnv: options.processEnv ?? process.env,
      readTextFile,
      createProbe: (service) => createProbe(service.health.check, { port: service.port, cwd: service.cwd, env: this.spawner.probeEnv?.(service.name, service.env) ?? service.env, account: service.account, clock: this.clock }),
      onOutput: (name, stream, line) => this.output.write(name, stream, line),
      host: createHostView(this.spawner instanceof BunSpawner ? this.spawner.runId : undefined),
      drain: (name, port, timeoutMs) => this.proxies.drain(name, port, timeoutMs),
    });
    // the first events of this run (the supervisor emits nothing before it starts)
    if (options.previousRun) announceUncleanShutdown(options.previousRun, this.store, this.bus);
    if (opened.replaced) this.replacedTimer = announceReplacedStore(opened.replaced, this.bus, this.setCondition, this.clock);
    if (opened.degraded) announceDegradedStore(dbPath, opened.degraded, this.bus, this.setCondition);
  }

  private readonly setCondition = (key: string, reason: string | null): void => this.supervisor.setCondition(key, reason);

  /** The config in effect: the one the fleet was built with until a reload (src/app/reload.ts) replaces it. */
  get config(): Config {
    return this.supervisor.config;
  }

  start(): Promise<LaunchResult> {
    this.proxies.sync(this.supervisor.config);
    return this.supervisor.start();
  }

  /**
   * RSS and CPU per pid, sampled from /proc at most once a second (on demand: nothing runs
   * when nobody asks). `services` is the caller's snapshot, when it has one. A sample is taken
   * at once when there is none to serve (the first, or nothing ran) or the fleet fits one slice;
   * otherwise, once the last is a second old, the next is taken in slices of STATS_SLICE pids
   * between requests while the last sample is served: for 200 services a
   * whole sample holds the event loop 4 ms, and every request arriving meanwhile waited
   * behind it (docs/BENCHMARKS.md, "API reads").
   */
  processUsage(services?: readonly { pid: number | null }[]): Map<number, ProcUsage> {
    const now = this.clock.now();
    if (this.refreshing || now - this.sampledAt < STATS_MIN_INTERVAL_MS) return this.usage;
    const running = services ?? this.supervisor.snapshot({ history: false }).services;
    const pids = running.flatMap((s) => (s.pid ? [s.pid] : []));
    this.sampledAt = now;
    if (this.usage.size === 0 || pids.length <= STATS_SLICE) {
      this.usage = this.sampler.sample(pids);
      return this.usage;
    }
    this.refreshing = true;
    void this.sampler
      .sampleInSlices(pids, STATS_SLICE)
      // the reads return null for what they cannot read; should the sample still fail, the last one stays
      .then((usage) => (this.usage = usage), () => {})
      .finally(() => (this.refreshing = false));
    return this.usage;
  }

  /** Stop every service in reverse dependency order, then flush and close the stores. */
  async shutdown(): Promise<void> {
    await this.supervisor.shutdown();
    this.proxies.stopAll();
    await this.close();
  }

  /** Release everything without stopping services gracefully (after shutdown, or when forced). */
  async close(): Promise<void> {
    this.proxies.stopAll();
    this.scheduler.stopAll();
    this.replacedTimer?.cancel();
    // the spawner first: what its last sweep of escaped processes reports still reaches the log and the store
    this.spawner.close?.();
    await this.output.close();
    this.store.close();
    this.storage.stop();
    this.unlog?.();
    this.unalert();
    this.alerts.close();
  }
}

function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
