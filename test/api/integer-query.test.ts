/**
 * requireInteger, the handlers' second check on integer query fields, against the first: for
 * each raw value it must accept what the schema accepts, as the same number, and refuse
 * what it refuses with the schema's 400 word for word.
 */
import { describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors";
import { requireInteger, type IntegerField } from "../../src/api/integer-query";
import { LIMIT_FIELD, LINES_FIELD, SINCE_FIELD } from "../../src/api/request-schemas";
import { createFakeApp } from "../helpers/fake-api";

// canned data (a FakePort with `api` and `db`): the subject is the query checks, not the fleet
const h = createFakeApp();

const RAW = [
  "1", "5", "100", "1000", "1001", "10000", "10001", "0", "-0", "-1", "-5", "1e3", "1e9", "1e400", "-1e400", "2.5", "1.0", " 5", "5 ",
  "+5", "05", "0x10", "0b1", "0o7", "1_000", "NaN", "Infinity", "-Infinity", "", "ten", "null", "true", "[]", "\u0000", "\u{1F600}",
  "9007199254740991", "9007199254740992", "9007199254740993", "99999999999999999999999", "x".repeat(200),
];

const ROUTES: [IntegerField, (raw: string) => string][] = [
  [LINES_FIELD, (raw) => `/orchestrator/services/api/logs?lines=${encodeURIComponent(raw)}`],
  [LIMIT_FIELD, (raw) => `/orchestrator/events?limit=${encodeURIComponent(raw)}`],
  [LIMIT_FIELD, (raw) => `/orchestrator/healing-history?limit=${encodeURIComponent(raw)}`],
  [SINCE_FIELD, (raw) => `/orchestrator/events?since=${encodeURIComponent(raw)}`],
];

function check(raw: unknown, field: IntegerField): { number: number | undefined } | { status: number; body: unknown } {
  try {
    return { number: requireInteger(raw, field) };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { status: error.status, body: { error: error.code, message: error.message } };
  }
}

describe.each(ROUTES.map(([field, url]) => [url("N"), field, url] as const))("%s", (_name, field, url) => {
  test.each(RAW.map((raw) => [JSON.stringify(raw).slice(0, 40), raw] as const))("%s: the handler's check agrees with the schema", async (_label, raw) => {
    const response = await h.request(url(raw));
    const got = check(raw, field);
    if (response.status === 200) {
      expect(got).toEqual({ number: expect.any(Number) });
      const number = (got as { number: number }).number;
      expect(number).toBeGreaterThanOrEqual(field.minimum);
      expect(number).toBeLessThanOrEqual(field.maximum);
      expect(number).toBe(Number(raw)); // what Elysia decodes the string to
    } else {
      expect(got).toEqual({ status: response.status, body: await response.json() });
    }
  });
});

test("absent stays absent; a decoded number is checked as well; anything else is refused in the schema's words", () => {
  expect(requireInteger(undefined, LIMIT_FIELD)).toBeUndefined();
  expect(requireInteger(10_000, LIMIT_FIELD)).toBe(10_000);
  expect(check(-1, LIMIT_FIELD)).toEqual({ status: 400, body: { error: "VALIDATION", message: "query.limit: expected an integer from 1 to 10000, got -1" } });
  expect(check(2.5, LINES_FIELD)).toEqual({ status: 400, body: { error: "VALIDATION", message: "query.lines: expected an integer from 1 to 1000, got 2.5" } });
  expect(check(["1", "2"], LIMIT_FIELD)).toEqual({ status: 400, body: { error: "VALIDATION", message: 'query.limit: expected an integer from 1 to 10000, got ["1","2"]' } });
  expect(check(null, SINCE_FIELD)).toEqual({ status: 400, body: { error: "VALIDATION", message: "query.since: expected an integer from 0 to 9007199254740991, got null" } });
  expect(check(10n, SINCE_FIELD)).toEqual({ status: 400, body: { error: "VALIDATION", message: "query.since: expected an integer from 0 to 9007199254740991, got 10" } });
});
