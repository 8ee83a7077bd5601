/**
 * A real fleet for API tests: a tmp dir with an orchestrator.yaml running fixture services
 * (db ← api, db ← worker; health on /health and /status; short intervals), loaded with
 * loadConfigSync, run by a real Fleet behind a FleetPort, and the API over it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Fleet } from "../../src/app/fleet";
import { FleetPort } from "../../src/app/fleet-port";
import type { ReloadOutcome } from "../../src/contract/actions";
import { createApi, type ApiOptions } from "../../src/api";
import { loadConfigSync } from "../../src/manifest/load";
import { fixturePath, freePort, killPids, waitFor, waitGone } from "../helpers/processes";

export interface HarnessOptions extends Partial<Omit<ApiOptions, "host" | "port">> {
  /** Extra YAML service entries, indented under `services:` (4 spaces for keys). */
  extraServices?: string;
  reloader?: () => Promise<ReloadOutcome>;
}

export interface Harness {
  dir: string;
  fleet: Fleet;
  port: FleetPort;
  api: ReturnType<typeof createApi>;
  apiPort: number;
  /** In-process request: `app.handle(new Request("http://127.0.0.1:PORT" + path))`. */
  request(path: string, init?: RequestInit): Promise<Response>;
  pids(): Record<string, number | null>;
  /** Every pid the fleet ever started. */
  started: Set<number>;
  stop(): Promise<void>;
}

/** The reloader used until a real one is injected: the manifest is "invalid" with one positioned issue. */
export const rejectingReloader = async (): Promise<ReloadOutcome> => ({
  ok: false,
  issues: [{ file: "orchestrator.yaml", line: 3, col: 5, path: "services.api.port", message: 'expected an integer from 1 to 65535, got "eighty"', severity: "error" }],
});

const fixture = (name: string) => `[${JSON.stringify(process.execPath)}, ${JSON.stringify(fixturePath(name))}]`;

/** The harness's orchestrator.yaml in `dir`; with `apiPort`, an `api:` section for `orchestrator up` to listen on 127.0.0.1. */
export function writeManifest(dir: string, extraServices = "", apiPort?: number): string {
  const [db, api, worker] = [freePort(), freePort(), freePort()];
  const file = join(dir, "orchestrator.yaml");
  writeFileSync(
    file,
    `version: 1
name: api-test
${apiPort === undefined ? "" : `api: { host: 127.0.0.1, port: ${apiPort} }\n`}state: { dir: state }
launch: { concurrency: 4, startupTimeout: 15s }
defaults:
  health: { interval: 200ms, timeout: 2s, failureThreshold: 3 }
  restart: { policy: on-failure, backoff: [100ms, 200ms, 300ms], resetAfter: 5m }
  shutdown: { timeout: 3s }
services:
  db:
    command: ${fixture("healthy.ts")}
    port: ${db}
    phase: critical
    health: { http: /health }
  api:
    command: ${fixture("healthy.ts")}
    port: ${api}
    dependsOn: [db]
    env: { SECRET_KEY: hunter2 }
    health: { http: /health }
  worker:
    command: ${fixture("status-only.ts")}
    port: ${worker}
    dependsOn: { db: started }
    health: { http: /status }
${extraServices}`,
  );
  return file;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "orch-api-"));
  const file = writeManifest(dir, options.extraServices);
  const loaded = loadConfigSync(file, { checkCommands: false });
  if (!loaded.config) throw new Error(`harness manifest is invalid: ${JSON.stringify(loaded.issues)}`);
  const fleet = new Fleet(loaded.config);
  const port = new FleetPort(fleet, options.reloader ?? rejectingReloader);
  const started = new Set<number>();
  const unwatch = fleet.bus.subscribe((m) => {
    if (m.type === "service" && m.payload.pid) started.add(m.payload.pid);
  });
  const apiPort = freePort();
  const { extraServices: _e, reloader: _r, ...apiOptions } = options;
  const api = createApi(port, { cors: [], ...apiOptions, host: "127.0.0.1", port: apiPort });
  void fleet.start();
  const pids = () => Object.fromEntries(port.services().map((s) => [s.name, s.pid]));
  await waitFor(() => port.status().state === "ready", 30_000, "the fleet to be ready");
  for (const pid of Object.values(pids())) if (pid) started.add(pid);
  return {
    dir,
    fleet,
    port,
    api,
    apiPort,
    started,
    pids,
    request: (path, init) => api.handle(new Request(`http://127.0.0.1:${apiPort}${path}`, init)),
    async stop() {
      unwatch();
      await fleet.shutdown();
      const alive = await waitGone([...started], 10_000);
      killPids(alive);
      rmSync(dir, { recursive: true, force: true });
      if (alive.length > 0) throw new Error(`processes left after shutdown: ${alive.join(", ")}`);
    },
  };
}
