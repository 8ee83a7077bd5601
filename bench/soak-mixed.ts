/**
 * The mixed fleet of `bench/chaos.ts --mixed` (issue 19's soak): the real-software fleet of
 * docs/RECIPES.md (PostgreSQL as postgres, Redis as redis, the Bun app on both, nginx as
 * www-data, written by test/real/recipes.ts) + N tinyhttp services (bench/gen-fleet.ts) + one
 * tinyhttp group with `replicas: 3` behind the built-in proxy + an `alerts:` endpoint that is
 * a Bun.serve in the runner, counting what it receives by kind. All on fixed ports from
 * `base` (the runner's range):
 *   base            API              base+1..base+N   the tinyhttp services
 *   base+200..+202  the replicas (spares from base+203 up)   base+300  their proxy
 *   base+301        the alert receiver                        base+400..+403  pg, redis, app, nginx
 * Besides the chaos invariants it checks the alerts (every alert the orchestrator offered was
 * received or counted as suppressed, none failed) and the proxy (a request every 1/rate s
 * through it on a fresh connection; none may fail outside a replica kill's window).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { missingForReal, PG_BIN, writeRealFleet } from "../test/real/recipes";
import { generateFleet } from "./gen-fleet";

export const REAL_SERVICES = ["db", "cache", "app", "web"] as const;
export const REPLICA_GROUP = "grp";
export const REPLICAS = 3;
/** Ports the mixed fleet uses from its base (see the layout above). */
export const MIXED_PORTS = 404;
/** A proxy request that starts this long before a replica kill, up to this long after it, is in its window. */
export const KILL_WINDOW_BEFORE_MS = 1000;
export const KILL_WINDOW_AFTER_MS = 2000;

export interface MixedFleet {
  dir: string;
  /** The environment `up` needs (PATH with bun first, PGDATA, the recipes' ports). */
  env: Record<string, string>;
  apiPort: number;
  proxyPort: number;
  alertPort: number;
  remove(): void;
}

/** Why the mixed fleet cannot run here, or null (root, PostgreSQL 15, redis, nginx, their users). */
export function missingForMixed(): string | null {
  return missingForReal([`${PG_BIN}/postgres`, `${PG_BIN}/initdb`, "redis-server", "/usr/sbin/nginx"], ["postgres", "redis", "www-data"]);
}

/** The top-level YAML the soak adds to the recipes' header: the chaos runner's ladder and breaker, alerts, probes every 5 s. */
function soakTop(alertPort: number): string {
  return [
    "defaults:",
    "  health: { interval: 5s }",
    "  # every kill is attempt 1: no backoff, and the count resets after 1 s healthy (as bench/chaos.ts)",
    "  restart: { backoff: [0ms], resetAfter: 1s }",
    "circuitBreaker: { failureThreshold: 1000, window: 1s }",
    "alerts:",
    `  - { url: "http://127.0.0.1:${alertPort}/alerts", format: json, events: [failure, recovered, incident, quarantined, breaker-opened, gave-up], minInterval: 0ms }`,
    "",
  ].join("\n");
}

/**
 * Write the mixed fleet: the recipes' fleet in a fresh tmp dir, then the tinyhttp services and
 * the replica group in it; `install(dir)` puts the service binary in that dir and gives its start command.
 */
export function writeMixedFleet(n: number, base: number, install: (dir: string) => string): MixedFleet {
  const apiPort = base;
  const proxyPort = base + 300;
  const alertPort = base + 301;
  const real = writeRealFleet(["postgres", "redis", "app", "nginx"], soakTop(alertPort), {
    API_PORT: apiPort,
    PG_PORT: base + 400,
    REDIS_PORT: base + 401,
    APP_PORT: base + 402,
    WEB_PORT: base + 403,
  });
  const manifestPath = join(real.dir, "orchestrator.yaml");
  const tinyCommand = install(real.dir);
  const recipes = readFileSync(manifestPath, "utf8"); // generateFleet writes its own orchestrator.yaml: keep ours
  generateFleet(n, real.dir, base + 1, tinyCommand);
  const group = [
    `  ${REPLICA_GROUP}:`,
    `    command: "${tinyCommand}"`,
    `    port: ${base + 200}`,
    `    replicas: ${REPLICAS}`,
    `    proxy: { port: ${proxyPort}, host: 127.0.0.1 }`,
    "",
  ].join("\n");
  const manifest = recipes.replace("discovery: { roots: [] }", "discovery: { roots: [services] }") + group;
  if (manifest === recipes + group) throw new Error("soak-mixed: expected the recipes' header to say `discovery: { roots: [] }`, it does not");
  writeFileSync(manifestPath, manifest);
  return { dir: real.dir, env: real.env, apiPort, proxyPort, alertPort, remove: real.remove };
}

/** Which kind of service a row of /orchestrator/services is, for the pick. */
export function kindOf(name: string): "tinyhttp" | "replica" | "real" | "other" {
  if (name.startsWith(`${REPLICA_GROUP}@`)) return "replica";
  if ((REAL_SERVICES as readonly string[]).includes(name)) return "real";
  if (name.startsWith("svc-")) return "tinyhttp";
  return "other"; // db-init, a one-shot
}

/** The kinds to pick from, and how often: half tinyhttp, a quarter each replicas and real programs. */
export function pickKind(random: () => number): "tinyhttp" | "replica" | "real" {
  const r = random();
  return r < 0.5 ? "tinyhttp" : r < 0.75 ? "replica" : "real";
}

// ---------------------------------------------------------------------------------------------
// the alert receiver

export interface AlertReceiver {
  byKind: Record<string, number>;
  /** `kind service` -> count. */
  byKindService: Record<string, number>;
  /** Bodies that were not a JSON alert. */
  malformed: number;
  stop(): void;
}

export function startAlertReceiver(port: number): AlertReceiver {
  const receiver: AlertReceiver = { byKind: {}, byKindService: {}, malformed: 0, stop: () => server.stop(true) };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    async fetch(req) {
      try {
        const alert = (await req.json()) as { kind?: string; service?: string };
        if (typeof alert.kind !== "string") throw new Error("no kind");
        receiver.byKind[alert.kind] = (receiver.byKind[alert.kind] ?? 0) + 1;
        const key = `${alert.kind} ${alert.service ?? ""}`;
        receiver.byKindService[key] = (receiver.byKindService[key] ?? 0) + 1;
      } catch {
        receiver.malformed++;
      }
      return new Response("ok");
    },
  });
  return receiver;
}

export interface AlertStats {
  sent: number;
  failed: number;
  retries: number;
  suppressed: number;
  pending: number;
}

export interface AlertCheck {
  received: Record<string, number>;
  /** Alerts the orchestrator had to offer, from the events: kind -> count. */
  offered: Record<string, number>;
  stats: AlertStats | null;
  malformed: number;
}

/**
 * What the endpoint should have had: one offer per `detected` (failure), `recovered`,
 * `quarantined`, `breaker-opened`, `gave-up` healing event and per `opened` incident; each is
 * either sent (and received) or suppressed (folded into an open incident; minInterval is 0).
 */
export function checkAlerts(receiver: AlertReceiver, stats: AlertStats | null, events: { type: string; payload: unknown }[]): { check: AlertCheck; violations: string[] } {
  const offered: Record<string, number> = {};
  const healingKinds: Record<string, string> = { detected: "failure", recovered: "recovered", quarantined: "quarantined", "breaker-opened": "breaker-opened", "gave-up": "gave-up" };
  for (const event of events) {
    const p = event.payload as { action?: string };
    const kind = event.type === "healing" ? healingKinds[p.action ?? ""] : event.type === "incident" && p.action === "opened" ? "incident" : undefined;
    if (kind) offered[kind] = (offered[kind] ?? 0) + 1;
  }
  const violations: string[] = [];
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const received = total(receiver.byKind);
  if (!stats) violations.push("alerts: /orchestrator/stats has no alerts endpoint");
  else {
    if (stats.sent !== received) violations.push(`alerts: the orchestrator says it sent ${stats.sent}, the receiver got ${received}`);
    if (stats.failed || stats.pending) violations.push(`alerts: ${stats.failed} failed, ${stats.pending} still pending at the end`);
    if (received + stats.suppressed !== total(offered)) {
      violations.push(`alerts: expected received + suppressed = ${total(offered)} offers (${JSON.stringify(offered)}), got ${received} + ${stats.suppressed} (received ${JSON.stringify(receiver.byKind)})`);
    }
  }
  for (const [kind, n] of Object.entries(receiver.byKind)) {
    if (n > (offered[kind] ?? 0)) violations.push(`alerts: received ${n} '${kind}', more than the ${offered[kind] ?? 0} events that make one`);
  }
  if (receiver.malformed) violations.push(`alerts: ${receiver.malformed} bodies were not a JSON alert`);
  return { check: { received: receiver.byKind, offered, stats, malformed: receiver.malformed }, violations };
}

// ---------------------------------------------------------------------------------------------
// requests through the proxy

interface ProxyRequest {
  at: number;
  ok: boolean;
  problem?: string;
}

export interface ProxyFigures {
  requests: number;
  failed: number;
  /** Failed requests that started inside a replica kill's window (see KILL_WINDOW_*), and outside one. */
  failedInKillWindows: number;
  failedOutsideKillWindows: number;
  replicaKills: number;
  p50Ms: number;
  p99Ms: number;
  firstProblems: string[];
}

/** One GET / a 1/rate s through the proxy, each on a new connection (so a kill shows in the next request, not in a pooled socket). */
export function startProxyLoad(port: number, rate: number): { stop(replicaKillTimes: number[]): Promise<ProxyFigures> } {
  const requests: ProxyRequest[] = [];
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  let stopped = false;
  const one = async () => {
    const at = performance.now();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { Connection: "close" }, keepalive: false, signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      latencies.push(performance.now() - at);
      requests.push(res.ok ? { at, ok: true } : { at, ok: false, problem: `status ${res.status}` });
    } catch (error) {
      // how long it took to fail tells a refusal (at once) from an instance that gave up waiting for the request (tinyhttp: 1 s)
      requests.push({ at, ok: false, problem: `${String(error)} after ${Math.round(performance.now() - at)} ms` });
    }
  };
  const loop = (async () => {
    for (let next = performance.now(); !stopped && rate > 0; ) {
      next += 1000 / rate;
      const p = one().finally(() => pending.delete(p));
      pending.add(p);
      await Bun.sleep(Math.max(0, next - performance.now()));
    }
  })();
  return {
    async stop(replicaKillTimes) {
      stopped = true;
      await loop;
      await Promise.all([...pending]);
      const inWindow = (at: number) => replicaKillTimes.some((k) => at >= k - KILL_WINDOW_BEFORE_MS && at <= k + KILL_WINDOW_AFTER_MS);
      const failed = requests.filter((r) => !r.ok);
      const sorted = latencies.sort((a, b) => a - b);
      const pct = (p: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0).toFixed(2));
      return {
        requests: requests.length,
        failed: failed.length,
        failedInKillWindows: failed.filter((r) => inWindow(r.at)).length,
        failedOutsideKillWindows: failed.filter((r) => !inWindow(r.at)).length,
        replicaKills: replicaKillTimes.length,
        p50Ms: pct(50),
        p99Ms: pct(99),
        firstProblems: failed.slice(0, 5).map((r) => `${Math.round(r.at)} ms: ${r.problem}`),
      };
    },
  };
}
