import { afterAll, beforeAll, expect, test } from "bun:test";
import { startHarness, type Harness } from "./harness";

let h: Harness;
let pidsBefore: Record<string, number | null>;
beforeAll(async () => {
  h = await startHarness();
  pidsBefore = h.pids();
});
afterAll(async () => {
  await h?.stop();
});

const long = "a".repeat(5000);
const json = { "content-type": "application/json" };

// [method, path, body?, headers?, expected status]
const cases: [string, string, BodyInit | undefined, Record<string, string> | undefined, number][] = [
  ["GET", "/orchestrator/services/..%2F..%2Fetc%2Fpasswd", undefined, undefined, 400],
  // URL normalisation resolves these before routing: /orchestrator/ is no route
  ["GET", "/orchestrator/services/..", undefined, undefined, 404],
  ["GET", "/orchestrator/services/%2e%2e", undefined, undefined, 404],
  ["GET", "/orchestrator/services/a%00b", undefined, undefined, 400],
  ["GET", "/orchestrator/services/%E0%A4%A", undefined, undefined, 400],
  ["GET", "/orchestrator/services/%ff%fe", undefined, undefined, 400],
  ["GET", `/orchestrator/services/${long}`, undefined, undefined, 400],
  ["GET", "/orchestrator/services/a%20b", undefined, undefined, 400],
  ["GET", "/orchestrator/services/%3Cscript%3E", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=-1", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=0", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=NaN", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=1e400", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=99999999999999999999999", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=2.5", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=%00", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=ten", undefined, undefined, 400],
  ["GET", "/orchestrator/services/nope/logs?lines=5", undefined, undefined, 404],
  ["GET", "/orchestrator/dependencies?format=svg", undefined, undefined, 400],
  ["GET", "/orchestrator/dependencies?format=%00", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?limit=-5", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?limit=Infinity", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?limit=100001", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?service=..%2Fx", undefined, undefined, 400],
  ["GET", `/orchestrator/healing-history?service=${long}`, undefined, undefined, 400],
  ["GET", "/orchestrator/events?since=-1", undefined, undefined, 400],
  ["GET", "/orchestrator/events?since=abc", undefined, undefined, 400],
  ["GET", "/orchestrator/events?since=1e309", undefined, undefined, 400],
  ["GET", "/orchestrator/events?since=9007199254740993", undefined, undefined, 400],
  ["GET", "/orchestrator/events?limit=0", undefined, undefined, 400],
  ["GET", "/orchestrator/events?limit=NaN", undefined, undefined, 400],
  ["POST", "/orchestrator/restart/..%2Fapi", undefined, undefined, 400],
  ["POST", "/orchestrator/restart/api%00", undefined, undefined, 400],
  ["POST", `/orchestrator/stop/${long}`, undefined, undefined, 400],
  ["POST", "/orchestrator/restart/api", "{not json", json, 400],
  ["POST", "/orchestrator/stop/api", "[1,", json, 400],
  ["POST", "/orchestrator/stop/api", "\u0000", json, 400],
  ["POST", "/orchestrator/stop/api", "hello", { "content-type": "text/plain" }, 415],
  ["POST", "/orchestrator/stop/api", "a=1", { "content-type": "application/x-www-form-urlencoded" }, 415],
  ["POST", "/orchestrator/stop/api", "x".repeat(70 * 1024), json, 413],
  ["POST", "/orchestrator/reload", "{bad", json, 400],
  ["POST", "/orchestrator/reload", "<xml/>", { "content-type": "application/xml" }, 415],
  ["GET", "/orchestrator/restart/api", undefined, undefined, 405],
  ["DELETE", "/orchestrator/services/api", undefined, undefined, 405],
  ["PUT", "/orchestrator/stop/api", "{}", json, 405],
  ["GET", "/orchestrator/../../etc/passwd", undefined, undefined, 404],
  ["GET", "/orchestrator/%2e%2e/%2e%2e/etc/passwd", undefined, undefined, 404],
  ["GET", "/docs/assets/..%2F..%2Fpackage.json", undefined, undefined, 404],
  ["GET", "/docs/assets/swagger-ui.js", undefined, undefined, 404],
  ["GET", `/${long}`, undefined, undefined, 404],
  ["GET", "/%00", undefined, undefined, 404],
];

const labelled = cases.map(([method, path, ...rest]) => [`${method} ${path.length > 90 ? `${path.slice(0, 60)}… (${path.length} chars)` : path}`, method, path, ...rest] as const);

test.each(labelled)("%s → 4xx JSON", async (_label, method, path, body, headers, expected) => {
  const res = await h.request(path, { method, body, headers });
  const text = await res.text();
  expect({ path: path.slice(0, 80), status: res.status }).toEqual({ path: path.slice(0, 80), status: expected });
  expect(res.headers.get("content-type")).toContain("application/json");
  const parsed = JSON.parse(text) as { error: unknown; message: unknown };
  expect(typeof parsed.error).toBe("string");
  expect(typeof parsed.message).toBe("string");
});

test("a 400 names the field, what was expected and what was got", async () => {
  const res = await h.request("/orchestrator/services/api/logs?lines=-1");
  expect(await res.json()).toEqual({ error: "VALIDATION", message: "query.lines: expected an integer from 1 to 1000, got -1" });
  const name = await (await h.request("/orchestrator/services/..%2Fetc")).json();
  expect((name as { message: string }).message).toStartWith("params.name: expected a service name");
  expect((name as { message: string }).message).toEndWith('got "../etc"');
  const body = await (await h.request("/orchestrator/stop/api", { method: "POST", body: "{not json", headers: json })).json();
  expect((body as { message: string }).message).toStartWith("body: expected no body or well-formed JSON");
});

test("after all that bad input the fleet is undisturbed: same pids, all healthy", () => {
  expect(h.pids()).toEqual(pidsBefore);
  expect(h.port.status()).toMatchObject({ state: "ready", healthy: 3 });
});
