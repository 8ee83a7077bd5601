/**
 * The one harness for tests that need a real fleet: an in-process Fleet on real fixture
 * processes (a manifest in a tmp dir), its FleetPort and, for API tests, the API over it.
 * It records every bus event and every pid it saw. Cleanup shuts the fleet down and FAILS
 * (throws, so the afterEach/afterAll fails the test) when shutdown hangs or any process of
 * the fleet outlives it: service pids, pids the test added, anything carrying the run's
 * ORCHESTRATOR_SERVICE marker (grandchildren, escaped daemons, probes), the orphan watchdog.
 * What it finds it SIGKILLs by pid first, so nothing is left running either way.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApi, type ApiOptions, type OrchestratorApi } from "../../src/api";
import { Fleet } from "../../src/app/fleet";
import type { Clock } from "../../src/lib/clock";
import { FleetPort } from "../../src/app/fleet-port";
import { loadConfigSync } from "../../src/manifest/load";
import { BunSpawner } from "../../src/process/bun-spawner";
import { reapAdoptedZombies } from "../../src/process/descendants";
import type { OrchestratorEvent, ReloadOutcome, ServiceState } from "./contract";
import { REJECTED_RELOAD } from "./fake-data";
import { describePid, findMarkedPids, fixtureCommand, freePort, isGoneOrReused, killPids, startTicksOf, waitFor, waitGone } from "./processes";

/** Fast timings for real-process tests: probes every 200 ms, restarts at once. */
export const FAST = {
  health: { interval: "200ms", timeout: "500ms", failureThreshold: 2 },
  restart: { backoff: ["0ms", "50ms", "50ms", "50ms", "50ms", "50ms", "50ms"], resetAfter: "5m" },
  shutdown: { timeout: "2s" },
} as const;

/** How long cleanup lets `fleet.shutdown()` run before it calls the run a failure. */
const SHUTDOWN_WITHIN_MS = 15_000;
/** After shutdown: the time SIGKILLed groups take to die (PID 1 here reaps late; a zombie counts as gone). */
const GONE_GRACE_MS = 2000;

export type ServiceSpec = Record<string, unknown> & { fixture?: string };

export interface FleetRunOptions {
  /** What the port's reload() does (default: rejectingReloader). */
  reloader?: () => Promise<ReloadOutcome>;
  /** Fail cleanup when `fleet.shutdown()` takes longer (default 15 s). */
  shutdownWithinMs?: number;
  /** The fleet's clock (default: the system's); a FakeClock moves only the fleet's own timers. */
  fleetClock?: Clock;
}

export interface FleetRun {
  dir: string;
  fleet: Fleet;
  /** The port the API and CLI see, over this fleet. */
  port: FleetPort;
  /** The fleet's spawner: its `runId` marks every process of this run. */
  spawner: BunSpawner;
  events: OrchestratorEvent[];
  /** Every pid the fleet reported, plus any added by the test (grandchildren). */
  pids: Set<number>;
  state(name: string): ServiceState;
  pid(name: string): number | null;
  waitState(name: string, state: ServiceState | ServiceState[], timeoutMs?: number): Promise<void>;
  waitEvent(predicate: (event: OrchestratorEvent) => boolean, timeoutMs?: number, what?: string): Promise<OrchestratorEvent>;
  /** Output lines of `name` kept in its ring buffer. */
  lines(name: string): string[];
  /** Shut down, check that no process of the fleet is left, remove the tmp dir; throws naming what outlived shutdown. */
  cleanup(): Promise<void>;
}

/** The reloader used until a real one is injected: the manifest is "invalid" with one positioned issue. */
export const rejectingReloader = async (): Promise<ReloadOutcome> => REJECTED_RELOAD;

/** Write `dir`/orchestrator.yaml (as JSON, which YAML reads): `services` (a `fixture` stands for its command) under `extra` top-level keys. */
export function writeFleetManifest(dir: string, services: Record<string, ServiceSpec>, extra: Record<string, unknown> = {}): string {
  const manifest = {
    version: 1,
    name: "integration",
    discovery: { roots: [] },
    state: { dir: "state" },
    defaults: FAST,
    ...extra,
    services: Object.fromEntries(
      Object.entries(services).map(([name, { fixture, ...rest }]) => [name, fixture ? { command: fixtureCommand(fixture), ...rest } : rest]),
    ),
  };
  const file = join(dir, "orchestrator.yaml");
  writeFileSync(file, JSON.stringify(manifest, null, 2));
  return file;
}

/** Build (not start) a fleet from `services` and `extra` top-level manifest keys. */
export function createFleetRun(services: Record<string, ServiceSpec>, extra: Record<string, unknown> = {}, options: FleetRunOptions = {}): FleetRun {
  const dir = mkdtempSync(join(tmpdir(), "orch-fleet-"));
  const loaded = loadConfigSync(writeFleetManifest(dir, services, extra));
  if (!loaded.config) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`createFleetRun: expected a valid manifest, got ${loaded.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join("; ")}`);
  }
  // Our own spawner (Fleet's default one, wired the same way) so cleanup knows its run id and watchdog.
  const spawner = new BunSpawner({ onNotice: (payload) => fleet.bus.emit({ type: "notice", payload }) });
  const fleet: Fleet = new Fleet(loaded.config, { spawner, clock: options.fleetClock, processEnv: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR } });
  const port = new FleetPort(fleet, options.reloader ?? rejectingReloader);
  const events: OrchestratorEvent[] = [];
  const pids = new OwnPids();
  const unsubscribe = fleet.bus.subscribe((message) => {
    if (message.type === "snapshot") return;
    events.push(message);
    if (message.type === "service" && message.payload.pid) pids.add(message.payload.pid);
  });
  const snapshotOf = (name: string) => fleet.supervisor.service(name);
  let cleaning: Promise<void> | null = null;
  const shutdownWithinMs = options.shutdownWithinMs ?? SHUTDOWN_WITHIN_MS;
  return {
    dir,
    fleet,
    port,
    spawner,
    events,
    pids,
    state: (name) => snapshotOf(name).state,
    pid: (name) => snapshotOf(name).pid,
    async waitState(name, state, timeoutMs = 10_000) {
      const wanted = Array.isArray(state) ? state : [state];
      try {
        await waitFor(() => wanted.includes(snapshotOf(name).state), timeoutMs, `${name} to be ${wanted.join("|")}`);
      } catch (error) {
        const s = snapshotOf(name);
        throw new Error(`${(error as Error).message}; it is ${s.state} (${s.lastReason ?? "no reason"})`);
      }
    },
    async waitEvent(predicate, timeoutMs = 10_000, what = "event") {
      let found: OrchestratorEvent | undefined;
      await waitFor(() => (found = events.find(predicate)) !== undefined, timeoutMs, what);
      return found!;
    },
    lines: (name) => fleet.output.recent(name).map((l) => l.line),
    cleanup() {
      cleaning ??= stopAndCheck({ dir, fleet, spawner, pids, shutdownWithinMs }).finally(unsubscribe);
      return cleaning;
    },
  };
}

/** A set of pids that remembers when each started: a pid the system later gives to another process is no longer ours. */
class OwnPids extends Set<number> {
  private readonly started = new Map<number, number | undefined>();

  override add(pid: number): this {
    if (!this.started.has(pid)) this.started.set(pid, startTicksOf(pid));
    return super.add(pid);
  }

  /** Those still running as the process they were when added. */
  alive(): number[] {
    return [...this].filter((pid) => this.started.get(pid) !== undefined && !isGoneOrReused(pid, this.started.get(pid)));
  }
}

interface StopInput {
  dir: string;
  fleet: Fleet;
  spawner: BunSpawner;
  pids: OwnPids;
  shutdownWithinMs: number;
}

// Shut down; whatever of the fleet still runs then is a failure of the code under test.
async function stopAndCheck({ dir, fleet, spawner, pids, shutdownWithinMs }: StopInput): Promise<void> {
  const problems: string[] = [];
  const watchdog = new OwnPids();
  if (spawner.watchdogPid) watchdog.add(spawner.watchdogPid);
  let shutdownError: unknown = null;
  const shutdown = fleet.shutdown().catch((error: unknown) => void (shutdownError = error));
  const finished = await Promise.race([shutdown.then(() => true), Bun.sleep(shutdownWithinMs).then(() => false)]);
  if (!finished) {
    // kill the services themselves (not the watchdog, which the spawner would replace), so shutdown can end
    const running = suspects(spawner, pids);
    problems.push(`fleet.shutdown() did not finish within ${shutdownWithinMs} ms; still running: ${running.map(describePid).join(", ") || "nothing"}`);
    killPids(running);
    const ended = await Promise.race([shutdown.then(() => true), Bun.sleep(5000).then(() => false)]);
    if (!ended) await fleet.close().catch(() => {});
  }
  if (shutdownError) problems.push(`fleet.shutdown() rejected: ${String(shutdownError)}`);
  const alive = await waitGone([...suspects(spawner, pids), ...watchdog.alive()], GONE_GRACE_MS);
  if (alive.length > 0) {
    problems.push(`expected every process of the fleet to be gone ${GONE_GRACE_MS} ms after shutdown, got ${alive.length} still running (now SIGKILLed): ${alive.map(describePid).join(", ")}`);
    killPids(alive);
    const unkillable = await waitGone(alive, 3000);
    if (unkillable.length > 0) problems.push(`and SIGKILL did not end ${unkillable.join(", ")}`);
  }
  // grandchildren that died after the spawner closed were adopted by this process (a subreaper
  // while the fleet ran): reap them, or they stay zombies for the rest of this test process
  reapAdoptedZombies();
  rmSync(dir, { recursive: true, force: true });
  if (problems.length > 0) throw new Error(`fleet cleanup: ${problems.join("; ")}`);
}

function suspects(spawner: BunSpawner, pids: OwnPids): number[] {
  return [...new Set([...pids.alive(), ...findMarkedPids(spawner.runId)])];
}

// ---- the API over a fleet: db ← api, db ← worker, health on /health and /status

/** The API fleet's top-level manifest keys. */
export const API_FLEET_SETTINGS = {
  name: "api-test",
  launch: { concurrency: 4, startupTimeout: "15s" },
  defaults: {
    health: { interval: "200ms", timeout: "2s", failureThreshold: 3 },
    restart: { policy: "on-failure", backoff: ["100ms", "200ms", "300ms"], resetAfter: "5m" },
    shutdown: { timeout: "3s" },
  },
};

/** The API fleet's services, on fresh ports: db (critical), api (needs db healthy; env SECRET_KEY), worker (needs db started; /status only). */
export function apiFleetServices(): Record<string, ServiceSpec> {
  return {
    db: { fixture: "healthy.ts", port: freePort(), phase: "critical", health: { http: "/health" } },
    api: { fixture: "healthy.ts", port: freePort(), dependsOn: ["db"], env: { SECRET_KEY: "hunter2" }, health: { http: "/health" } },
    worker: { fixture: "status-only.ts", port: freePort(), dependsOn: { db: "started" }, health: { http: "/status" } },
  };
}

export interface ApiFleetOptions extends Partial<Omit<ApiOptions, "host" | "port">>, FleetRunOptions {
  /** More services next to db, api and worker. */
  services?: Record<string, ServiceSpec>;
}

export interface ApiFleet extends FleetRun {
  api: OrchestratorApi;
  /** The port the API believes it listens on (serve it there with startApiServer). */
  apiPort: number;
  /** In-process request: `api.handle(new Request("http://127.0.0.1:PORT" + path))`. */
  request(path: string, init?: RequestInit): Promise<Response>;
  pidsByName(): Record<string, number | null>;
}

/** The API fleet, started and ready, with the API over its port. */
export async function startApiFleet(options: ApiFleetOptions = {}): Promise<ApiFleet> {
  const { services = {}, reloader, shutdownWithinMs, ...apiOptions } = options;
  const run = createFleetRun({ ...apiFleetServices(), ...services }, API_FLEET_SETTINGS, { reloader, shutdownWithinMs });
  const apiPort = freePort();
  const api = createApi(run.port, { cors: [], ...apiOptions, host: "127.0.0.1", port: apiPort });
  void run.fleet.start();
  try {
    await waitFor(() => run.port.status().state === "ready", 30_000, "the fleet to be ready");
  } catch (error) {
    await run.cleanup().catch(() => {});
    throw error;
  }
  return Object.assign(run, {
    api,
    apiPort,
    request: (path: string, init?: RequestInit) => api.handle(new Request(`http://127.0.0.1:${apiPort}${path}`, init)),
    pidsByName: () => Object.fromEntries(run.port.services().map((s) => [s.name, s.pid])),
  });
}

/** Service transitions of `name` as "from->to" strings, in order. */
export function transitionsOf(events: OrchestratorEvent[], name: string): string[] {
  return events.flatMap((e) => (e.type === "service" && e.payload.name === name ? [`${e.payload.from}->${e.payload.to}`] : []));
}

/** Index of the first event matching `predicate` (−1 when none). */
export function indexOfEvent(events: OrchestratorEvent[], predicate: (event: OrchestratorEvent) => boolean): number {
  return events.findIndex(predicate);
}

/** The `{"pid","grandchildren"}` lines a fork-grandchildren fixture printed. */
export function parseForkLines(lines: string[]): { pid: number; grandchildren: number[] }[] {
  return lines.flatMap((line) => {
    if (!line.startsWith("{")) return [];
    try {
      const parsed = JSON.parse(line) as { pid?: number; grandchildren?: number[] };
      return typeof parsed.pid === "number" && Array.isArray(parsed.grandchildren) ? [{ pid: parsed.pid, grandchildren: parsed.grandchildren }] : [];
    } catch {
      return [];
    }
  });
}
