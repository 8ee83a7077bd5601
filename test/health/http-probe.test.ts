import { afterEach, describe, expect, test } from "bun:test";
import { systemClock, type Clock } from "../../src/lib/clock";
import { createHttpProbe } from "../../src/health/http-probe";

const HOST = "127.0.0.1";
const stoppers: Array<() => void> = [];
afterEach(() => {
  while (stoppers.length) stoppers.pop()!();
});

/** A loopback server answering `routes` (path → status), 404 elsewhere; counts requests per path. */
function serveRoutes(routes: Record<string, number>) {
  const hits: Record<string, number> = {};
  const server = Bun.serve({
    hostname: HOST,
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      hits[path] = (hits[path] ?? 0) + 1;
      const status = routes[path] ?? 404;
      return new Response("x", { status, headers: status >= 300 && status < 400 ? { location: "/" } : {} });
    },
  });
  stoppers.push(() => server.stop(true));
  return { port: server.port as number, hits, routes };
}

const fixedNow: Clock = { ...systemClock, now: () => 42 };

describe("http probe", () => {
  test("2xx on an explicit path is healthy and says which path answered", async () => {
    const { port } = serveRoutes({ "/health": 200 });
    const result = await createHttpProbe({ host: HOST, port, path: "/health", endpoints: [], clock: fixedNow }).check(2000);
    expect(result).toMatchObject({ ok: true, endpoint: "/health", checkedAt: 42 });
    expect(result.error).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  test("3xx is healthy, 5xx is not", async () => {
    const { port } = serveRoutes({ "/moved": 302, "/broken": 503 });
    expect((await createHttpProbe({ host: HOST, port, path: "/moved", endpoints: [] }).check(2000)).ok).toBe(true);
    const broken = await createHttpProbe({ host: HOST, port, path: "/broken", endpoints: [] }).check(2000);
    expect(broken).toMatchObject({ ok: false, endpoint: "/broken", error: "HTTP 503" });
  });

  test("an explicit path is the only one probed, even when it is 404", async () => {
    const server = serveRoutes({ "/status": 200 });
    const result = await createHttpProbe({ host: HOST, port: server.port, path: "/health", endpoints: ["/status"] }).check(2000);
    expect(result).toMatchObject({ ok: false, endpoint: "/health", error: "HTTP 404" });
    expect(server.hits["/status"]).toBeUndefined();
  });

  test("falls back along the endpoint list and remembers the one that answered", async () => {
    const server = serveRoutes({ "/status": 200, "/ping": 405 });
    const probe = createHttpProbe({ host: HOST, port: server.port, endpoints: ["/health", "/ping", "/status", "/"] });
    expect(await probe.check(2000)).toMatchObject({ ok: true, endpoint: "/status" });
    expect(await probe.check(2000)).toMatchObject({ ok: true, endpoint: "/status" });
    expect(server.hits).toEqual({ "/health": 1, "/ping": 1, "/status": 2 });
  });

  test("a remembered endpoint that fails with 5xx stays remembered; one that turns 404 is replaced", async () => {
    const server = serveRoutes({ "/health": 200, "/status": 200 });
    const probe = createHttpProbe({ host: HOST, port: server.port, endpoints: ["/health", "/status"] });
    expect((await probe.check(2000)).endpoint).toBe("/health");
    server.routes["/health"] = 500;
    expect(await probe.check(2000)).toMatchObject({ ok: false, endpoint: "/health", error: "HTTP 500" });
    delete server.routes["/health"];
    expect(await probe.check(2000)).toMatchObject({ ok: true, endpoint: "/status" });
    expect(await probe.check(2000)).toMatchObject({ ok: true, endpoint: "/status" });
    expect(server.hits).toEqual({ "/health": 3, "/status": 2 });
  });

  test("a connection closed without a response counts as no such route", async () => {
    const listener = Bun.listen({
      hostname: HOST,
      port: 0,
      socket: {
        data(socket, chunk) {
          if (chunk.toString().startsWith("GET /ready ")) socket.write("HTTP/1.1 204 No Content\r\n\r\n");
          socket.end();
        },
      },
    });
    stoppers.push(() => listener.stop(true));
    const result = await createHttpProbe({ host: HOST, port: listener.port, endpoints: ["/health", "/ready"] }).check(2000);
    expect(result).toMatchObject({ ok: true, endpoint: "/ready" });
  });

  test("when no endpoint answers, the error lists what each said", async () => {
    const { port } = serveRoutes({});
    const result = await createHttpProbe({ host: HOST, port, endpoints: ["/health", "/status"] }).check(2000);
    expect(result.ok).toBe(false);
    expect(result.error).toBe("no endpoint answered: /health HTTP 404, /status HTTP 404");
  });

  test("a server that hangs fails with a timeout instead of hanging the probe", async () => {
    const server = Bun.serve({ hostname: HOST, port: 0, fetch: () => new Promise<Response>(() => {}) });
    stoppers.push(() => server.stop(true));
    const result = await createHttpProbe({ host: HOST, port: server.port as number, path: "/health", endpoints: [] }).check(150);
    expect(result).toMatchObject({ ok: false, endpoint: "/health", error: "timeout after 150ms" });
  });

  test("a refused port is a failed result, not a rejection", async () => {
    const server = Bun.serve({ hostname: HOST, port: 0, fetch: () => new Response("") });
    const port = server.port as number;
    server.stop(true);
    const result = await createHttpProbe({ host: HOST, port, endpoints: ["/health", "/status"] }).check(2000);
    expect(result).toMatchObject({ ok: false, endpoint: "/health", error: "ECONNREFUSED" });
  });
});
