import { afterAll, beforeAll, expect, test } from "bun:test";
import { BAD_INPUT_CASES, FIELDS_QUERY_MESSAGES, NUMERIC_QUERY_MESSAGES, expectBadInputAnswer, labelCase } from "./bad-input-cases";
import { startApiFleet, type ApiFleet } from "../helpers/fleet-harness";

let h: ApiFleet;
let pidsBefore: Record<string, number | null>;
beforeAll(async () => {
  h = await startApiFleet();
  pidsBefore = h.pidsByName();
});
afterAll(async () => {
  await h?.cleanup();
});

const json = { "content-type": "application/json" };

test.each(BAD_INPUT_CASES.map((c) => [labelCase(c), c] as const))("%s → 4xx JSON", async (_label, c) => {
  const [method, path, body, headers] = c;
  await expectBadInputAnswer(await h.request(path, { method, body, headers }), c);
});

test.each([...NUMERIC_QUERY_MESSAGES, ...FIELDS_QUERY_MESSAGES])("%s → 400 naming the field, the range and what was got", async (path, message) => {
  const res = await h.request(path);
  expect({ status: res.status, body: await res.json() }).toEqual({ status: 400, body: { error: "VALIDATION", message } });
});

test("a 400 names the field, what was expected and what was got", async () => {
  const name = await (await h.request("/orchestrator/services/..%2Fetc")).json();
  expect((name as { message: string }).message).toStartWith("params.name: expected a service name");
  expect((name as { message: string }).message).toEndWith('got "../etc"');
  const body = await (await h.request("/orchestrator/stop/api", { method: "POST", body: "{not json", headers: json })).json();
  expect((body as { message: string }).message).toStartWith("body: expected no body or well-formed JSON");
});

test("after all that bad input the fleet is undisturbed: same pids, all healthy", () => {
  expect(h.pidsByName()).toEqual(pidsBefore);
  expect(h.port.status()).toMatchObject({ state: "ready", healthy: 3 });
});
