/**
 * An in-process Fleet on real fixture processes, for test/integration: writes a manifest to a
 * tmp dir, records every bus event and every pid it saw, and cleans up by pid only.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Fleet } from "../../src/app/fleet";
import type { OrchestratorEvent } from "../../src/contract/events";
import { loadConfigSync } from "../../src/manifest/load";
import type { ServiceState } from "../../src/contract/states";
import { fixtureCommand, killPids, waitFor, waitGone } from "./processes";

/** Fast timings for real-process tests: probes every 200 ms, restarts at once. */
export const FAST = {
  health: { interval: "200ms", timeout: "500ms", failureThreshold: 2 },
  restart: { backoff: ["0ms", "50ms", "50ms", "50ms", "50ms", "50ms", "50ms"], resetAfter: "5m" },
  shutdown: { timeout: "2s" },
} as const;

export type ServiceSpec = Record<string, unknown> & { fixture?: string };

export interface FleetRun {
  dir: string;
  fleet: Fleet;
  events: OrchestratorEvent[];
  /** Every pid the fleet reported, plus any added by the test (grandchildren). */
  pids: Set<number>;
  state(name: string): ServiceState;
  pid(name: string): number | null;
  waitState(name: string, state: ServiceState | ServiceState[], timeoutMs?: number): Promise<void>;
  waitEvent(predicate: (event: OrchestratorEvent) => boolean, timeoutMs?: number, what?: string): Promise<OrchestratorEvent>;
  /** Output lines of `name` kept in its ring buffer. */
  lines(name: string): string[];
  /** Shut down (bounded), SIGKILL any pid still alive, remove the tmp dir. */
  cleanup(): Promise<void>;
}

/**
 * Build a fleet from `services` (each may name a `fixture` instead of a `command`) and
 * `extra` top-level manifest keys. The manifest is written as JSON, which YAML reads.
 */
export function createFleetRun(services: Record<string, ServiceSpec>, extra: Record<string, unknown> = {}): FleetRun {
  const dir = mkdtempSync(join(tmpdir(), "orch-int-"));
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
  const loaded = loadConfigSync(file);
  if (!loaded.config) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`createFleetRun: expected a valid manifest, got ${loaded.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join("; ")}`);
  }
  const fleet = new Fleet(loaded.config, { processEnv: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR } });
  const events: OrchestratorEvent[] = [];
  const pids = new Set<number>();
  fleet.bus.subscribe((message) => {
    if (message.type === "snapshot") return;
    events.push(message);
    if (message.type === "service" && message.payload.pid) pids.add(message.payload.pid);
  });
  const snapshotOf = (name: string) => fleet.supervisor.service(name);
  const run: FleetRun = {
    dir,
    fleet,
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
    async cleanup() {
      const stopped = await Promise.race([fleet.shutdown().then(() => true), Bun.sleep(15_000).then(() => false)]);
      if (!stopped) await fleet.close().catch(() => {});
      killPids([...pids]);
      await waitGone([...pids], 3000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return run;
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
