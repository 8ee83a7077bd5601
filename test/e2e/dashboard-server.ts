/**
 * A stand-in for `orchestrator up` until the CLI serves the API: a REAL Fleet behind the real
 * API (createApi over FleetPort) with the dashboard mounted exactly as the binary will mount it.
 *   bun test/e2e/dashboard-server.ts path/to/orchestrator.yaml
 * Prints `listening http://HOST:PORT`; SIGTERM/SIGINT stop the services and exit 0.
 * The browser tests use the compiled binary instead as soon as it serves the dashboard.
 */
import { createApi } from "../../src/api";
import { startApiServer } from "../../src/api/server";
import { Fleet } from "../../src/app/fleet";
import { FleetPort } from "../../src/app/fleet-port";
import { mountDashboard } from "../../src/dashboard";
import { loadConfigSync } from "../../src/manifest/load";

const file = process.argv[2];
if (!file) throw new Error("usage: bun test/e2e/dashboard-server.ts orchestrator.yaml");
const loaded = loadConfigSync(file);
if (!loaded.config) throw new Error(`expected a valid manifest, got: ${loaded.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join("; ")}`);
const config = loaded.config;
const fleet = new Fleet(config, { processEnv: process.env });
const port = new FleetPort(fleet, async () => ({ ok: false, issues: [] }));
const { host, token, cors } = config.api;
const app = createApi(port, { host, port: config.api.port, token, cors, dashboard: mountDashboard });
const api = startApiServer(app, { host, port: config.api.port });
console.log(`listening ${api.url}`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await api.stop();
  await fleet.shutdown();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
void fleet.start();
