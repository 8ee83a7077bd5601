import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkExposure, createApi, startApiServer, type RunningApi } from "../../src/api";
import { createTokenCheck } from "../../src/api/auth";
import { createFakeApp, type FakeApp } from "../helpers/fake-api";
import { REJECTED_RELOAD, serviceConfig } from "../helpers/fake-data";
import { FakePort } from "../helpers/fake-port";
import { freePort } from "../helpers/processes";
import { connect, probeUpgrade } from "./ws-client";

const TOKEN = "s3cret-token";
const LISTED = "https://ops.example.com";
const EVIL = "https://evil.example";

// canned data (db and api, running; a reload the manifest rejects): the subject is the API's gate
const port = new FakePort({ reload: REJECTED_RELOAD });
port.data.configs.set("api", { ...serviceConfig(port.data.services.find((s) => s.name === "api")!), env: { SECRET_KEY: "hunter2" } });

let h: FakeApp;
let secured: RunningApi;
let open: RunningApi;
let openApi: ReturnType<typeof createApi>;
let openPort: number;
beforeAll(() => {
  h = createFakeApp(port, { token: TOKEN, cors: [LISTED] });
  secured = startApiServer(h.app, { host: "127.0.0.1", port: h.apiPort });
  openPort = freePort();
  openApi = createApi(port, { cors: [], host: "127.0.0.1", port: openPort });
  open = startApiServer(openApi, { host: "127.0.0.1", port: openPort });
});
afterAll(async () => {
  await secured?.stop();
  await open?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const credentials = { missing: {}, wrong: bearer("not-the-token"), right: bearer(TOKEN) } as const;

describe("auth matrix", () => {
  test("no token configured: read, mutate and stream are open", async () => {
    const req = (path: string, init?: RequestInit) => openApi.handle(new Request(`http://127.0.0.1:${openPort}${path}`, init));
    expect((await req("/orchestrator/status")).status).toBe(200);
    // start on a running service passes auth and conflicts: 409 proves it got through without changing anything
    expect((await req("/orchestrator/start/api", { method: "POST" })).status).toBe(409);
    const client = connect(`ws://127.0.0.1:${openPort}/orchestrator/stream`);
    await client.opened;
    expect(client.messages[0]!.type).toBe("snapshot");
    client.ws.close();
  });

  for (const [which, headers] of Object.entries(credentials)) {
    test(`token configured, ${which} token: status, health, session, metrics and docs stay open; output and history ${which === "right" ? "are read" : "answer 401"}`, async () => {
      for (const path of ["/orchestrator/status", "/orchestrator/health-status", "/orchestrator/session", "/metrics", "/docs", "/docs/json"]) {
        expect({ path, status: (await h.request(path, { headers })).status }).toEqual({ path, status: 200 });
      }
      const guarded = ["/orchestrator/services", "/orchestrator/services?fields=pid", "/orchestrator/snapshot", "/orchestrator/services/api", "/orchestrator/services/api/logs", "/orchestrator/events", "/orchestrator/healing-history", "/orchestrator/dependencies", "/orchestrator/stats"];
      for (const path of guarded) {
        const res = await h.request(path, { headers });
        expect({ path, status: res.status }).toEqual({ path, status: which === "right" ? 200 : 401 });
        if (which !== "right") expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
      }
    });

    test(`token configured, ${which} token: mutating routes ${which === "right" ? "pass" : "answer 401 with WWW-Authenticate"}`, async () => {
      for (const path of ["/orchestrator/start/api", "/orchestrator/reload"]) {
        const res = await h.request(path, { method: "POST", headers });
        const body = (await res.json()) as { error: string; message: string };
        if (which === "right") {
          expect(res.status).toBe(path.endsWith("reload") ? 422 : 409);
        } else {
          expect({ path, status: res.status, error: body.error }).toEqual({ path, status: 401, error: "UNAUTHORIZED" });
          expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
          expect(body.message).not.toContain(TOKEN);
        }
      }
    });

    test(`token configured, ${which} token: the stream ${which === "right" ? "opens (header or ?token=)" : "is refused with 401"}`, async () => {
      const url = `ws://127.0.0.1:${h.apiPort}/orchestrator/stream`;
      if (which !== "right") {
        const refused = await probeUpgrade(url, headers);
        expect(refused.status).toBe(401);
        expect(JSON.parse(refused.body)).toMatchObject({ error: "UNAUTHORIZED" });
        const query = await probeUpgrade(`${url}?token=${which === "wrong" ? "nope" : ""}`);
        expect(query.status).toBe(401);
        return;
      }
      for (const client of [connect(url, headers), connect(`${url}?token=${TOKEN}`)]) {
        await client.opened;
        expect(client.messages[0]!.type).toBe("snapshot");
        client.ws.close();
      }
    });
  }

  test("a service's effective env (secrets included) is shown only to the token's holders", async () => {
    type Detail = { config: { env: Record<string, string> } };
    const anonymous = await h.request("/orchestrator/services/api");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain("hunter2");
    const holder = (await (await h.request("/orchestrator/services/api", { headers: credentials.right })).json()) as Detail;
    expect(holder.config.env.SECRET_KEY).toBe("hunter2");
  });
});

test("the stream refuses bad ?logs= before upgrading: 404 for an unknown service, 400 for garbage", async () => {
  const url = `ws://127.0.0.1:${h.apiPort}/orchestrator/stream?token=${TOKEN}`;
  const unknown = await probeUpgrade(`${url}&logs=api,nope`);
  expect(unknown.status).toBe(404);
  expect(JSON.parse(unknown.body).message).toContain('"nope"');
  const garbage = await probeUpgrade(`${url}&logs=..%2Fetc`);
  expect(garbage.status).toBe(400);
  expect(JSON.parse(garbage.body).message).toStartWith("query.logs: expected comma-separated service names");
});

describe("browser origins", () => {
  test("a preflight from a listed origin is answered; from any other origin it is refused", async () => {
    const ok = await h.request("/orchestrator/restart/api", { method: "OPTIONS", headers: { origin: LISTED, "access-control-request-method": "POST" } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(LISTED);
    expect(ok.headers.get("access-control-allow-headers")).toContain("Authorization");
    const refused = await h.request("/orchestrator/restart/api", { method: "OPTIONS", headers: { origin: EVIL, "access-control-request-method": "POST" } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect(await refused.json()).toMatchObject({ error: "FORBIDDEN" });
  });

  test("responses carry CORS headers only for listed origins (errors included)", async () => {
    expect((await h.request("/orchestrator/status", { headers: { origin: LISTED } })).headers.get("access-control-allow-origin")).toBe(LISTED);
    expect((await h.request("/orchestrator/services/nope", { headers: { origin: LISTED } })).headers.get("access-control-allow-origin")).toBe(LISTED);
    expect((await h.request("/orchestrator/status", { headers: { origin: EVIL } })).headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a mutating request from a foreign origin is refused even with the token; the API's own origin passes", async () => {
    const foreign = await h.request("/orchestrator/start/api", { method: "POST", headers: { origin: EVIL, ...credentials.right } });
    expect(foreign.status).toBe(403);
    const own = await h.request("/orchestrator/start/api", { method: "POST", headers: { origin: `http://localhost:${h.apiPort}`, ...credentials.right } });
    expect(own.status).toBe(409);
  });

  test("the stream refuses a foreign Origin (403) and accepts a listed one", async () => {
    const url = `ws://127.0.0.1:${h.apiPort}/orchestrator/stream?token=${TOKEN}`;
    const refused = await probeUpgrade(url, { origin: EVIL });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: "FORBIDDEN" });
    const client = connect(url, { origin: LISTED });
    await client.opened;
    expect(client.messages[0]!.type).toBe("snapshot");
    client.ws.close();
  });
});

describe("token comparison and exposure", () => {
  test("tokens compare by SHA-256 digest with timingSafeEqual, so any length is safe", () => {
    const check = createTokenCheck("abc");
    expect(check("abc")).toBe(true);
    expect(check("abd")).toBe(false);
    expect(check("ab")).toBe(false);
    expect(check("abc".repeat(1000))).toBe(false);
    expect(check("")).toBe(false);
    expect(check(null)).toBe(false);
    expect(createTokenCheck(undefined)("anything")).toBe(true);
    const source = readFileSync(join(import.meta.dir, "../../src/api/auth.ts"), "utf8");
    expect(source).toContain("timingSafeEqual(digest(candidate), expected)");
  });

  test("checkExposure refuses a non-loopback host without a token of at least 16 characters", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) expect(checkExposure({ host })).toBeNull();
    for (const host of ["0.0.0.0", "::", "192.168.1.10", "example.com"]) {
      expect(checkExposure({ host })).toContain(`api.host is "${host}"`);
      expect(checkExposure({ host })).toContain("api.token is empty");
      expect(checkExposure({ host, token: "" })).not.toBeNull();
      expect(checkExposure({ host, token: "t" })).toContain("api.token has only 1 character: expected");
      expect(checkExposure({ host, token: "x".repeat(15) })).toContain("at least 16 characters");
      expect(checkExposure({ host, token: "x".repeat(16) })).toBeNull();
    }
  });
});

describe("GET /orchestrator/session", () => {
  test("says whether a token is needed and whether the presented one (header or ?token=) is right", async () => {
    const session = async (path: string, headers: Record<string, string> = {}) => (await h.request(path, { headers })).json();
    expect(await session("/orchestrator/session")).toEqual({ tokenRequired: true, authenticated: false });
    expect(await session("/orchestrator/session", credentials.wrong)).toEqual({ tokenRequired: true, authenticated: false });
    expect(await session("/orchestrator/session", credentials.right)).toEqual({ tokenRequired: true, authenticated: true });
    expect(await session(`/orchestrator/session?token=${TOKEN}`)).toEqual({ tokenRequired: true, authenticated: true });
    const res = await openApi.handle(new Request(`http://127.0.0.1:${openPort}/orchestrator/session`));
    expect(await res.json()).toEqual({ tokenRequired: false, authenticated: true });
  });
});
