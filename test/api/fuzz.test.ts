/**
 * Every API route fed generated bad input (fast-check, fixed seed, bounded runs) against the
 * harness's real fleet: arbitrary path parameters, query strings, methods, headers and bodies,
 * through `app.handle` in process, on a token-protected app and an open one over the same fleet;
 * a share of the same through a started server (Bun's router decodes paths differently), and
 * the stream's query string and headers through real upgrade requests on it.
 * Nothing may throw out of the app, nothing may answer 5xx, every error is JSON
 * `{error, message}`, and afterwards the fleet is undisturbed. Routes come from `app.routes`,
 * so a new route is fuzzed without touching this file. Requests that would really act on a
 * known service are left out (the point is bad input); a tripwire on the port proves it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { ServiceActionName } from "../helpers/contract";
import { createApi, startApiServer, type RunningApi } from "../../src/api";
import { waitFor } from "../helpers/processes";
import {
  ALL_ROUTES,
  HANDLED_ROUTES,
  LISTED_ORIGIN,
  SERVICES,
  STREAM_ROUTES,
  TOKEN,
  UPGRADE_HEADERS,
  asTarget,
  describeRoutes,
  expectErrorBody,
  headersArb,
  expectServerAnswer,
  label,
  mayAct,
  prepareForSocket,
  queryString,
  rawRequest,
  sendPrepared,
  specArb,
  toRequest,
  type Spec,
} from "./fuzz-requests";
import { rejectingReloader, startApiFleet, type ApiFleet } from "../helpers/fleet-harness";

// Fixed, so a failure reproduces; FUZZ_SEED and FUZZ_SCALE explore further by hand.
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const RUNS_PER_ROUTE = 500 * SCALE;
const RUNS_UNROUTED = 300 * SCALE;
const RUNS_SERVER = 500 * SCALE;
const RUNS_STREAM = 80 * SCALE;

// ---- the fleet, two apps over it, a started server for the stream

let h: ApiFleet;
let openApp: ReturnType<typeof createApi>;
let server: RunningApi;
interface FleetSnapshot {
  services: Record<string, { pid: number | null; restarts: number; state: string }>;
  state: string;
  counts: unknown;
  started: number;
}
let before: FleetSnapshot;
let subscribersBefore: number;
const acted: [ServiceActionName, string][] = [];
const stats = { requests: 0, skipped: 0, byStatus: new Map<number, number>(), streamRequests: 0, streamStatus: new Map<number, number>(), serverRequests: 0, serverOwnRefusals: 0 };

function snapshot(): FleetSnapshot {
  return {
    services: Object.fromEntries(h.port.services().map((s) => [s.name, { pid: s.pid, restarts: s.restarts, state: s.state }])),
    state: h.port.status().state,
    counts: h.port.status().counts,
    started: h.pids.size,
  };
}

beforeAll(async () => {
  // The reloader is the harness's rejecting one: a reload that gets through answers 422 and changes nothing.
  h = await startApiFleet({ token: TOKEN, cors: [LISTED_ORIGIN], reloader: rejectingReloader });
  openApp = createApi(h.port, { cors: ["*"], host: "127.0.0.1", port: h.apiPort });
  server = startApiServer(h.api, { host: "127.0.0.1", port: h.apiPort });
  // tripwire: record every action that reaches the port (for an unknown name it throws 404, as usual)
  const act = h.port.act.bind(h.port);
  h.port.act = (action, name) => {
    acted.push([action, name]);
    return act(action, name);
  };
  before = snapshot();
  subscribersBefore = h.port.stats().events.subscribers;
});

afterAll(async () => {
  await server?.stop();
  await h?.cleanup();
});

/** One request through app.handle: no throw, no 5xx, errors as JSON {error, message}. */
async function exercise(spec: Spec): Promise<void> {
  const request = toRequest(spec, h.apiPort);
  if (!request || (await mayAct(request, spec.open))) {
    stats.skipped++;
    fc.pre(false);
    return;
  }
  const app = spec.open ? openApp : h.api;
  let response: Response;
  try {
    response = await app.handle(request);
  } catch (err) {
    throw new Error(`${label(spec)}: app.handle threw ${String(err)}`);
  }
  stats.requests++;
  stats.byStatus.set(response.status, (stats.byStatus.get(response.status) ?? 0) + 1);
  const text = await response.text();
  if (response.status >= 500) throw new Error(`${label(spec)}: ${response.status} ${text.slice(0, 300)}`);
  if (response.status >= 400 && spec.method !== "HEAD") expectErrorBody(label(spec), response.status, response.headers, text);
}

async function run(name: string, arb: fc.Arbitrary<Spec>, numRuns: number): Promise<void> {
  const counts = new Map(stats.byStatus);
  await fc.assert(fc.asyncProperty(arb, exercise), { seed: SEED, numRuns, maxSkipsPerRun: 1000 });
  // FUZZ_STATS=1 shows what each route answered, to judge how deep the generated input reaches
  if (process.env.FUZZ_STATS) {
    const answered = [...stats.byStatus].map(([status, n]) => `${status}×${n - (counts.get(status) ?? 0)}`).filter((e) => !e.endsWith("×0"));
    console.log(`${name}: ${answered.sort().join(" ")}`);
  }
}

// ---- the tests

test("the fuzzed routes are the app's routes: every HTTP route through app.handle, the stream through a server", () => {
  expect(describeRoutes(h.api)).toEqual(ALL_ROUTES);
  expect(HANDLED_ROUTES.length).toBeGreaterThan(10);
  expect(STREAM_ROUTES.map((r) => r.path)).toEqual(["/orchestrator/stream"]);
});

describe("app.handle, generated bad input", () => {
  test.each(HANDLED_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))("%s", async (_name, route) => {
    await run(`${route.method} ${route.path}`, specArb(route, h.apiPort), RUNS_PER_ROUTE);
  });

  test("paths that are no route", async () => {
    await run("no route", specArb(null, h.apiPort), RUNS_UNROUTED);
  });
});


// ---- the same through a started server: Bun's router, not app.handle, decodes the path there

test("HTTP routes through a started server: no 5xx, the app's errors as JSON", async () => {
  const arb = fc.oneof(...HANDLED_ROUTES.map((route) => specArb(route, h.apiPort)), specArb(null, h.apiPort));
  const property = fc.asyncProperty(arb, async (generated) => {
    // only the token app is listening; its URL is the server's: the harness's API port is where it listens
    const prepared = await prepareForSocket(generated, h.apiPort, false);
    if (!prepared) {
      stats.skipped++;
      fc.pre(false);
      return;
    }
    const { response, text } = await sendPrepared(prepared);
    stats.serverRequests++;
    if (expectServerAnswer(prepared.spec, response, text) === "refused") stats.serverOwnRefusals++;
  });
  await fc.assert(property, { seed: SEED, numRuns: RUNS_SERVER, maxSkipsPerRun: 1000 });
});

// ---- the stream: real upgrade requests, raw over TCP so the request target is sent as generated

describe.each(STREAM_ROUTES.map((r) => [r.path, r] as const))("WS %s, real upgrade requests", (_path, route) => {
  test("generated query strings and headers: no 5xx, refusals as JSON, nothing left subscribed", async () => {
    const arb = fc.record({
      query: queryString(route.queryKeys),
      // the right token half the time, so the query's own checks are reached and some upgrades succeed
      headers: fc
        .tuple(headersArb(h.apiPort), fc.boolean())
        .map(([{ origin, authorization }, valid]) => ({ origin, authorization: valid ? `Bearer ${TOKEN}` : authorization })),
      upgrade: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      slash: fc.boolean(),
    });
    const property = fc.asyncProperty(arb, async ({ query, headers, upgrade, slash }) => {
      const target = asTarget(`${route.path}${slash ? "/" : ""}${query}`);
      const sent: Record<string, string> = upgrade ? { ...UPGRADE_HEADERS } : {};
      for (const [k, v] of Object.entries(headers)) if (v !== undefined && v !== "") sent[k] = v.replace(/[\r\n\0]/g, "");
      const answer = await rawRequest(server.port, target, sent);
      stats.streamRequests++;
      stats.streamStatus.set(answer.status, (stats.streamStatus.get(answer.status) ?? 0) + 1);
      const where = `upgrade=${upgrade} GET ${target.slice(0, 150)} ${JSON.stringify(sent).slice(0, 150)}`;
      if (!(answer.status >= 100 && answer.status < 500)) throw new Error(`${where}: ${answer.status} ${answer.body.slice(0, 300)}`);
      // the server's own parser may refuse a malformed request line with a bare 400; anything the app answers is JSON
      if (answer.status >= 400 && (answer.headers.get("content-type") ?? "").includes("json")) expectErrorBody(where, answer.status, answer.headers, answer.body);
    });
    await fc.assert(property, { seed: SEED, numRuns: RUNS_STREAM });
    await waitFor(() => h.port.stats().events.subscribers === subscribersBefore, 10_000, "every fuzzed stream client to be unsubscribed");
  });
});

test("after all that, the fleet is undisturbed: same pids, same restarts, same states, no action reached the port for a real service", () => {
  expect(acted.filter(([, name]) => SERVICES.includes(name))).toEqual([]);
  expect(snapshot()).toEqual(before);
  expect(before.state).toBe("ready");
  // every run sent a request (fast-check replaces a skipped one: unbuildable, or able to act)
  expect(stats.requests).toBe(HANDLED_ROUTES.length * RUNS_PER_ROUTE + RUNS_UNROUTED);
  expect(stats.streamRequests).toBe(RUNS_STREAM * STREAM_ROUTES.length);
  expect(stats.serverRequests).toBe(RUNS_SERVER);
  if (process.env.FUZZ_STATS) console.log({ ...stats, byStatus: Object.fromEntries(stats.byStatus), streamStatus: Object.fromEntries(stats.streamStatus) });
});
