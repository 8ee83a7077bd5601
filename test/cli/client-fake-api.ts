/**
 * A tiny stand-in for the orchestrator's API, serving the documented JSON shapes for the
 * routes the CLI client calls, so the client is tested over real HTTP and WebSocket.
 */
import type { ServerWebSocket } from "bun";
import type { SystemStatus } from "../../src/contract/system-view";
import type { ServiceSummary } from "../../src/contract/service-view";
import type { LogLine } from "../../src/contract/output";
import type { ServiceState } from "../../src/contract/states";

export function summary(name: string, over: Partial<ServiceSummary> = {}): ServiceSummary {
  return {
    name,
    state: "healthy",
    phase: 0,
    phaseName: "critical",
    critical: false,
    optional: false,
    pid: 4242,
    port: 4000,
    restarts: 0,
    attempt: 0,
    uptimeMs: 125_000,
    health: { status: "healthy", latencyMs: 3, endpoint: "/health", checkedAt: 1, error: null },
    memoryBytes: 12.3 * 1024 * 1024,
    cpuPercent: 1.5,
    dependsOn: [],
    breaker: { state: "closed", failures: 0 },
    lastReason: null,
    ...over,
  };
}

export interface FakeApi {
  url: string;
  port: number;
  services: ServiceSummary[];
  logs: Map<string, LogLine[]>;
  /** Authorization headers (or `?token=`) seen, newest last. */
  auth: (string | null)[];
  /** Requests seen as "METHOD /path?query". */
  requests: string[];
  /** Set to require `Bearer TOKEN` on every route (or, with `openReads`, on POSTs and the stream only, as the real API does). */
  token?: string;
  openReads?: boolean;
  /** Open stream sockets. */
  sockets: Set<ServerWebSocket<{ logs: string | null }>>;
  /** Send a `log` event to every stream subscribed to `name`. */
  sendLog(name: string, stream: "stdout" | "stderr", line: string, ts?: number): void;
  stop(): void;
}

const json = (body: unknown, status = 200) => Response.json(body, { status });
const notFound = (name: string) => json({ error: "NOT_FOUND", message: `unknown service "${name}"` }, 404);

export function startFakeApi(): FakeApi {
  let seq = 10;
  const api: FakeApi = {
    url: "",
    port: 0,
    services: [],
    logs: new Map(),
    auth: [],
    requests: [],
    sockets: new Set(),
    sendLog(name, stream, line, ts = Date.now()) {
      for (const ws of api.sockets) {
        if (ws.data.logs === name) ws.send(JSON.stringify({ seq, ts, type: "log", payload: { name, stream, line } }));
      }
    },
    stop: () => server.stop(true),
  };
  const server = Bun.serve<{ logs: string | null }>({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req, srv) {
      const url = new URL(req.url);
      api.requests.push(`${req.method} ${url.pathname}${url.search}`);
      const auth = req.headers.get("authorization") ?? (url.searchParams.has("token") ? `Bearer ${url.searchParams.get("token")}` : null);
      api.auth.push(auth);
      const guarded = !api.openReads || req.method !== "GET" || url.pathname === "/orchestrator/stream";
      if (api.token && guarded && auth !== `Bearer ${api.token}`) return json({ error: "UNAUTHORIZED", message: "a bearer token is required" }, 401);
      const path = url.pathname;
      if (path === "/orchestrator/stream") {
        return srv.upgrade(req, { data: { logs: url.searchParams.get("logs") } }) ? undefined : json({ error: "BAD_REQUEST", message: "expected a WebSocket upgrade" }, 400);
      }
      if (req.method === "GET" && path === "/orchestrator/status") return json(status(api.services));
      if (req.method === "GET" && path === "/orchestrator/services") return json(api.services);
      let m = /^\/orchestrator\/services\/([^/]+)(\/logs)?$/.exec(path);
      if (req.method === "GET" && m) {
        const name = decodeURIComponent(m[1]);
        const service = api.services.find((s) => s.name === name);
        if (!service) return notFound(name);
        if (!m[2]) return json({ ...service, healthHistory: [], healing: [], config: {} });
        const lines = Number(url.searchParams.get("lines") ?? 100);
        return json((api.logs.get(name) ?? []).slice(-lines));
      }
      m = /^\/orchestrator\/(restart|stop|start)\/([^/]+)$/.exec(path);
      if (req.method === "POST" && m) {
        const [action, name] = [m[1], decodeURIComponent(m[2])];
        const service = api.services.find((s) => s.name === name);
        if (!service) return notFound(name);
        if (action === "start" && service.state !== "stopped") return json({ error: "CONFLICT", message: `cannot start ${name}: it is ${service.state}` }, 409);
        const from = service.state;
        if (action === "stop") Object.assign(service, { state: "stopped" as ServiceState, pid: null });
        else Object.assign(service, { state: "healthy" as ServiceState, pid: (service.pid ?? 5000) + 1 });
        return json({ service: name, action, from }, 202);
      }
      return json({ error: "NOT_FOUND", message: `no route ${req.method} ${path}` }, 404);
    },
    websocket: {
      open(ws) {
        api.sockets.add(ws);
        ws.send(JSON.stringify({ type: "snapshot", seq, ts: Date.now(), payload: { services: api.services } }));
      },
      message() {},
      close(ws) {
        api.sockets.delete(ws);
      },
    },
  });
  api.port = server.port!;
  api.url = `http://127.0.0.1:${api.port}`;
  return api;
}

function status(services: ServiceSummary[]): SystemStatus {
  const counts = Object.fromEntries(services.map((s) => [s.state, 0])) as Record<ServiceState, number>;
  for (const s of services) counts[s.state]++;
  return {
    name: "tiny",
    state: services.every((s) => s.state === "healthy") ? "ready" : "degraded",
    startedAt: 1,
    uptimeMs: 3 * 3_600_000 + 5000,
    counts,
    total: services.length,
    healthy: counts.healthy ?? 0,
    phase: { index: 1, name: "core" },
    reasons: [],
  };
}
