/**
 * The API's bad-input matrix, one table for every way the API is reached: in process through
 * `app.handle` (bad-input.test.ts) and the compiled binary over a real socket
 * (test/security/binary-input.test.ts). Paths assume the harness fleet (db ← api, db ← worker)
 * and no token.
 */
import { expect } from "bun:test";

const long = "a".repeat(5000);
const json = { "content-type": "application/json" };

/** [method, path, body?, headers?, expected status] */
export type BadInputCase = [string, string, BodyInit | undefined, Record<string, string> | undefined, number];

export const BAD_INPUT_CASES: BadInputCase[] = [
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
  ["GET", "/orchestrator/services/api/logs?lines=1001", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=1e9", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=NaN", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=1e400", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=99999999999999999999999", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=2.5", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=%00", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=ten", undefined, undefined, 400],
  ["GET", "/orchestrator/services/api/logs?lines=5&lines=-1", undefined, undefined, 400],
  ["GET", "/orchestrator/services/nope/logs?lines=5", undefined, undefined, 404],
  ["GET", "/orchestrator/services?fields=nope", undefined, undefined, 400],
  ["GET", "/orchestrator/services?fields=", undefined, undefined, 400],
  ["GET", "/orchestrator/services?fields=pid,,state", undefined, undefined, 400],
  ["GET", "/orchestrator/services?fields=pid%00", undefined, undefined, 400],
  ["GET", "/orchestrator/services?fields=constructor", undefined, undefined, 400],
  ["GET", "/orchestrator/services?fields=__proto__", undefined, undefined, 400],
  ["GET", `/orchestrator/services?fields=${"pid,".repeat(200)}pid`, undefined, undefined, 400],
  ["GET", "/orchestrator/snapshot?fields=state,toString", undefined, undefined, 400],
  ["GET", "/orchestrator/snapshot?fields=pid&fields=nope", undefined, undefined, 400],
  ["GET", "/orchestrator/dependencies?format=svg", undefined, undefined, 400],
  ["GET", "/orchestrator/dependencies?format=%00", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?limit=-1", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?limit=-5", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?limit=0", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?limit=10001", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?limit=Infinity", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?limit=100001", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?service=api&limit=-1", undefined, undefined, 400],
  ["GET", "/orchestrator/healing-history?service=..%2Fx", undefined, undefined, 400],
  ["GET", `/orchestrator/healing-history?service=${long}`, undefined, undefined, 400],
  ["GET", "/orchestrator/events?since=-1", undefined, undefined, 400],
  ["GET", "/orchestrator/events?since=abc", undefined, undefined, 400],
  ["GET", "/orchestrator/events?since=1e309", undefined, undefined, 400],
  ["GET", "/orchestrator/events?since=9007199254740993", undefined, undefined, 400],
  ["GET", "/orchestrator/events?limit=-1", undefined, undefined, 400],
  ["GET", "/orchestrator/events?limit=0", undefined, undefined, 400],
  ["GET", "/orchestrator/events?limit=10001", undefined, undefined, 400],
  ["GET", "/orchestrator/events?limit=NaN", undefined, undefined, 400],
  ["GET", "/orchestrator/events?since=0&limit=-1", undefined, undefined, 400],
  ["GET", "/orchestrator/events?since=-1&limit=5", undefined, undefined, 400],
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

/** `METHOD path` for a test title, long paths cut. */
export function labelCase([method, path]: BadInputCase): string {
  return `${method} ${path.length > 90 ? `${path.slice(0, 60)}… (${path.length} chars)` : path}`;
}

/** Numeric query values: the exact 400 message, which names the field, what was expected and what was got. */
export const NUMERIC_QUERY_MESSAGES: [path: string, message: string][] = [
  ["/orchestrator/services/api/logs?lines=-1", "query.lines: expected an integer from 1 to 1000, got -1"],
  ["/orchestrator/services/api/logs?lines=1e9", "query.lines: expected an integer from 1 to 1000, got 1000000000"],
  ["/orchestrator/services/api/logs?lines=2.5", 'query.lines: expected an integer from 1 to 1000, got "2.5"'],
  ["/orchestrator/events?since=-1", "query.since: expected an integer from 0 to 9007199254740991, got -1"],
  ["/orchestrator/events?limit=-1", "query.limit: expected an integer from 1 to 10000, got -1"],
  ["/orchestrator/events?since=0&limit=-1", "query.limit: expected an integer from 1 to 10000, got -1"],
  ["/orchestrator/events?limit=0", "query.limit: expected an integer from 1 to 10000, got 0"],
  ["/orchestrator/events?limit=10001", "query.limit: expected an integer from 1 to 10000, got 10001"],
  ["/orchestrator/healing-history?limit=-1", "query.limit: expected an integer from 1 to 10000, got -1"],
  ["/orchestrator/healing-history?limit=0", "query.limit: expected an integer from 1 to 10000, got 0"],
  ["/orchestrator/healing-history?limit=10001", "query.limit: expected an integer from 1 to 10000, got 10001"],
  ["/orchestrator/healing-history?limit=abc", 'query.limit: expected an integer from 1 to 10000, got "abc"'],
];

/** The fields of a sparse read: the exact 400 message, which lists what a summary has. */
const FIELDS_EXPECTED =
  "query.fields: expected comma-separated fields of a service summary (name, state, phase, phaseName, critical, optional, pid, port, restarts, attempt, uptimeMs, health, readiness, memoryBytes, cpuPercent, dependsOn, breaker, lastReason)";
export const FIELDS_QUERY_MESSAGES: [path: string, message: string][] = [
  ["/orchestrator/services?fields=nope", `${FIELDS_EXPECTED}, got "nope"`],
  ["/orchestrator/services?fields=pid,constructor", `${FIELDS_EXPECTED}, got "constructor"`],
  ["/orchestrator/snapshot?fields=state,toString", `${FIELDS_EXPECTED}, got "toString"`],
];

/** The answer to a bad-input case: the expected status, and a JSON `{error, message}` body. */
export async function expectBadInputAnswer(response: Response, [, path, , , status]: BadInputCase): Promise<void> {
  const text = await response.text();
  expect({ path: path.slice(0, 80), status: response.status }).toEqual({ path: path.slice(0, 80), status });
  expect(response.headers.get("content-type")).toContain("application/json");
  const parsed = JSON.parse(text) as { error: unknown; message: unknown };
  expect(typeof parsed.error).toBe("string");
  expect(typeof parsed.message).toBe("string");
}
