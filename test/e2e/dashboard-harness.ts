/**
 * What the dashboard browser tests run against: a fleet of fixture services in a tmp dir,
 * served by the compiled binary (`dist/orchestrator up`, built with `bun run build` when
 * missing), which mounts the dashboard next to the API.
 * A TCP proxy sits between the browser and the API so a test can cut the connection.
 */
import { freeRange } from "../helpers/proxy-client";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceSummary } from "../../src/contract/service-view";
import { BINARY, ROOT, ensureBinary } from "../helpers/binary-run";
import { fixturePath, freePort, isGone, killPids, waitFor, waitGone } from "../helpers/processes";

export { BINARY, ROOT };
const BUN = realpathSync(join(ROOT, "node_modules/.bin/bun"));

export interface Proxy {
  port: number;
  /** Drop every open connection and refuse new ones until restore(). */
  cut(): void;
  restore(): void;
  stop(): Promise<void>;
}

export async function startProxy(targetPort: () => number): Promise<Proxy> {
  let cut = false;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = connect(targetPort(), "127.0.0.1");
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("close", () => open.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy: expected a TCP address");
  return {
    port: address.port,
    cut() {
      cut = true;
      for (const s of open) s.destroy();
    },
    restore() {
      cut = false;
    },
    stop: () =>
      new Promise<void>((ok) => {
        for (const s of open) s.destroy();
        server.close(() => ok());
      }),
  };
}

export interface Target {
  /** What serves the API and page: always the compiled binary. */
  dir: string;
  apiUrl: string;
  /** The page as the browser sees it (through the proxy). */
  pageUrl: string;
  proxy: Proxy;
  services(): Promise<ServiceSummary[]>;
  service(name: string): Promise<ServiceSummary>;
  api<T>(path: string): Promise<T>;
  /** Output of the orchestrator process so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface TargetOptions {
  /** Set api.token: the API helpers send it, the page must ask for it. */
  token?: string;
  /** Only these services of the fleet (default: all). */
  only?: string[];
  /** Run postgres as a real server is run (SPEC §13): user, group, umask, nice, limits, a stop command, a pid file, its own logs. */
  operated?: boolean;
  /** Run web as 3 replicas behind the built-in proxy (SPEC §15). */
  replicated?: boolean;
}

// Bun's os.userInfo().username says "unknown" here (no NSS lookup): ask id(1), as an operator would.
const idOf = (flag: string) => Bun.spawnSync(["id", flag]).stdout.toString().trim();

/** The SPEC §13 keys the `operated` postgres gets: as the user running the tests (the one user it may always switch to). */
export const OPERATED = {
  user: idOf("-un"),
  group: idOf("-gn"),
  umask: "0027",
  nice: 5,
  limits: { memory: "1GiB", nofile: 4096, nproc: 4096, core: 0 },
  shutdown: { timeout: "2s", command: "kill -TERM $MAINPID" },
  protected: true,
  pidFile: "postgres.pid",
  logs: { maxSize: "1MiB", keep: 2, format: "json" },
};

// The shell writes its own pid, then execs the service: the pid file names the very process started.
function operatedPostgres(fixture: string): Record<string, unknown> {
  return { ...OPERATED, command: `echo $$$$ > ${OPERATED.pidFile} && exec '${BUN}' '${fixturePath(fixture)}'` };
}

/** Healthy services across three phases, a one-shot that completes, and one that never gets healthy. */
function manifest(apiPort: number, proxyPort: number, options: TargetOptions) {
  const svc = (fixture: string, extra: Record<string, unknown>) => ({ command: [BUN, fixturePath(fixture)], ...extra });
  return {
    version: 1,
    name: "acme-platform",
    discovery: { roots: [] },
    state: { dir: "state" },
    api: { host: "127.0.0.1", port: apiPort, cors: [`http://127.0.0.1:${proxyPort}`], ...(options.token ? { token: options.token } : {}) },
    phases: ["data", "core", "edge"],
    // a breaker that stays closed, so report-worker climbs the whole ladder to quarantine
    circuitBreaker: { failureThreshold: 50, window: "60s", cooldown: "1s" },
    defaults: {
      health: { interval: "1s", timeout: "1s", failureThreshold: 2 },
      restart: { backoff: ["300ms", "300ms", "300ms", "500ms", "500ms", "500ms", "500ms"], resetAfter: "5m" },
      shutdown: { timeout: "2s" },
    },
    services: pick(options.only, {
      postgres: options.operated ? { ...operatedPostgres("healthy.ts"), port: freePort(), phase: "data" } : svc("healthy.ts", { port: freePort(), phase: "data" }),
      redis: svc("healthy.ts", { port: freePort(), phase: "data" }),
      migrate: svc("exit-now.ts", { phase: "data", env: { EXIT_CODE: "0" }, dependsOn: ["postgres"], health: false }),
      auth: svc("healthy.ts", { port: freePort(), phase: "core", dependsOn: ["postgres", "redis"] }),
      api: svc("healthy.ts", { port: freePort(), phase: "core", dependsOn: ["postgres", "redis", "auth"] }),
      web: options.replicated
        ? svc("healthy.ts", { port: freeRange(3), replicas: 3, proxy: { port: freePort() }, phase: "edge", dependsOn: ["api"] })
        : svc("healthy.ts", { port: freePort(), phase: "edge", dependsOn: ["api"] }),
      "report-worker": svc("never-healthy.ts", { port: freePort(), phase: "edge", optional: true, startupTimeout: "1500ms", dependsOn: ["postgres"] }),
    }),
  };
}

function pick<T>(names: string[] | undefined, all: Record<string, T>): Record<string, T> {
  return names ? Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name))) : all;
}

export async function startTarget(options: TargetOptions = {}): Promise<Target> {
  ensureBinary();
  const dir = mkdtempSync(join(tmpdir(), "orch-dash-"));
  const apiPort = freePort();
  const proxy = await startProxy(() => apiPort);
  const file = join(dir, "orchestrator.yaml");
  writeFileSync(file, JSON.stringify(manifest(apiPort, proxy.port, options), null, 2));
  const child = Bun.spawn([BINARY, "up", "-c", file, "--log-format", "json"], {
    cwd: dir,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, NODE_ENV: "production" },
  });
  let out = "";
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      out += decoder.decode(value, { stream: true });
    }
  };
  void pump(child.stdout);
  void pump(child.stderr);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(apiUrl + path, { headers: options.token ? { authorization: `Bearer ${options.token}` } : {} });
    if (!res.ok) throw new Error(`GET ${path}: expected 200, got ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const seen = new Set<number>();
  const services = async () => {
    const list = await api<ServiceSummary[]>("/orchestrator/services");
    for (const s of list) if (s.pid) seen.add(s.pid);
    return list;
  };
  const target: Target = {
    dir,
    apiUrl,
    pageUrl: `http://127.0.0.1:${proxy.port}/`,
    proxy,
    services,
    async service(name) {
      const s = (await services()).find((x) => x.name === name);
      if (!s) throw new Error(`expected a service named ${name}`);
      return s;
    },
    api,
    output: () => out,
    async stop() {
      await services().catch(() => []);
      if (child.pid && !isGone(child.pid)) child.kill("SIGTERM");
      const left = await waitGone([child.pid], 15_000);
      killPids(left);
      killPids([...seen].filter((pid) => !isGone(pid)));
      await waitGone([...seen], 5000);
      await proxy.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(async () => (await fetch(`${apiUrl}/orchestrator/status`).catch(() => null))?.ok === true, 20_000, "the API to answer");
  } catch (error) {
    await target.stop();
    throw new Error(`${BINARY} up did not serve the API: ${(error as Error).message}\n${out}`);
  }
  return target;
}

/** Poll an async predicate every 50 ms; throws with `what` after `timeoutMs`. */
/** Bounded polling, shared with every other real-process test. */
export { waitFor as waitUntil } from "../helpers/processes";
