// Shared helper for the demo fleet: a tiny JSON HTTP service on node:http, no dependencies.
// This folder has no package.json, so orchestrator discovery ignores it.
import http from "node:http";

/** One JSON log line on stdout (stderr for level "error"). */
export function createLogger(service) {
  return (level, msg, fields = {}) => {
    const line = JSON.stringify({ ts: new Date().toISOString(), level, service, pid: process.pid, msg, ...fields });
    (level === "error" ? process.stderr : process.stdout).write(line + "\n");
  };
}

/** Reads a JSON request body (max 64 KiB); resolves to {} when empty, rejects with status 400 on bad JSON. */
export function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      body += chunk;
      if (body.length > 65536) reject(Object.assign(new Error("request body larger than 64 KiB"), { status: 413 }));
    });
    req.on("end", () => {
      if (!body.trim()) return resolve({});
      try { resolve(JSON.parse(body)); } catch (err) {
        reject(Object.assign(new Error(`expected a JSON body: ${err.message}`), { status: 400 }));
      }
    });
    req.on("error", reject);
  });
}

/** Calls an upstream service over HTTP and returns {status, body}; a network failure or timeout throws a 502. */
export async function callUpstream(url, { method = "GET", body, headers = {}, timeoutMs = 2000 } = {}) {
  try {
    const res = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = { raw: text }; }
    return { status: res.status, body: parsed };
  } catch (err) {
    throw Object.assign(new Error(`upstream ${new URL(url).origin} unreachable: ${err.cause?.code ?? err.name}`), { status: 502 });
  }
}

/** A short random id such as "tx_9f3a1c2b7d". */
export function randomId(prefix) {
  return `${prefix}_${Math.random().toString(16).slice(2, 12).padEnd(10, "0")}`;
}

const safeDecode = (s) => { try { return decodeURIComponent(s); } catch { return s; } };

/** Matches "/v1/records/:key" against a split path; returns the params, or null. */
function matchPath(pattern, parts) {
  if (pattern.length !== parts.length) return null;
  const params = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(":") && parts[i] !== "") params[pattern[i].slice(1)] = safeDecode(parts[i]);
    else if (pattern[i] !== parts[i]) return null;
  }
  return params;
}

/**
 * Starts a service.
 *   name        service name (used in logs and the health body)
 *   port        default port; the PORT env var wins
 *   healthPath  the only path that answers health (everything else unknown is 404)
 *   ready       optional () => boolean; while false the health path answers 503 {status:"starting"}
 *   routes      { "GET /path": handler, "PUT /v1/records/:key": handler }
 *               handler({ req, params, query, body, log }) → body | { status, body }
 *   heartbeat   optional () => object of fields for the ~10 s heartbeat line
 *   onStop      optional () => void, run on SIGTERM/SIGINT before the server closes
 */
export function startService({ name, port, healthPath = "/health", ready = () => true, routes = {}, heartbeat, onStop }) {
  const log = createLogger(name);
  const startedAt = Date.now();
  const listenPort = Number(process.env.PORT || port);
  const host = process.env.HOST || "127.0.0.1";
  const table = Object.entries(routes).map(([key, handler]) => {
    const [method, pattern] = key.split(" ");
    return { method, parts: pattern.split("/"), handler };
  });
  let requests = 0;

  const send = (res, status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer(async (req, res) => {
    requests++;
    const url = new URL(req.url, "http://localhost");
    if (req.method === "GET" && url.pathname === healthPath) {
      const ok = ready();
      return send(res, ok ? 200 : 503, { status: ok ? "ok" : "starting", service: name, uptimeMs: Date.now() - startedAt, pid: process.pid });
    }
    const parts = url.pathname.split("/");
    for (const route of table) {
      if (route.method !== req.method) continue;
      const params = matchPath(route.parts, parts);
      if (!params) continue;
      try {
        const body = ["POST", "PUT", "PATCH"].includes(req.method) ? await readJson(req) : undefined;
        const out = await route.handler({ req, params, query: Object.fromEntries(url.searchParams), body, log });
        return out && typeof out.status === "number" && "body" in out ? send(res, out.status, out.body) : send(res, 200, out);
      } catch (err) {
        const status = err.status ?? 500;
        if (status >= 500) log("error", "request failed", { method: req.method, path: url.pathname, error: err.message });
        return send(res, status, { error: status >= 500 ? "upstream_error" : "bad_request", message: err.message });
      }
    }
    send(res, 404, { error: "not_found", message: `no route for ${req.method} ${url.pathname}` });
  });

  server.on("error", (err) => {
    log("error", `cannot listen on ${host}:${listenPort}: ${err.message}`, { code: err.code });
    process.exit(1);
  });
  server.listen(listenPort, host, () => log("info", `listening on ${host}:${listenPort}`, { port: listenPort, health: healthPath }));

  const beat = setInterval(() => {
    log("info", "heartbeat", { uptimeMs: Date.now() - startedAt, requests, rssBytes: process.memoryUsage().rss, ...(heartbeat?.() ?? {}) });
  }, Number(process.env.HEARTBEAT_MS || 10000));

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    log("info", `received ${signal}, shutting down`);
    clearInterval(beat);
    onStop?.();
    setTimeout(() => process.exit(0), 800).unref();
    server.close(() => {
      log("info", "stopped");
      process.exit(0);
    });
    server.closeAllConnections();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  return { log, server, startedAt, port: listenPort };
}
