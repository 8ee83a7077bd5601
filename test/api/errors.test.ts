/** describeError: our 4xx and the store's 503 pass through as JSON; anything else is a 500 without a stack. */
import { expect, test } from "bun:test";
import { respondWithError } from "../../src/api/errors";
import { StateLockError } from "../../src/app/state-lock-errors";
import { StoreUnavailableError } from "../../src/events/store-unavailable";
import { UnknownServiceError } from "../../src/supervisor/errors";

test("a StoreUnavailableError answers 503 JSON naming the file and the cause", async () => {
  const cause = Object.assign(new Error("no such table: events"), { code: "SQLITE_ERROR" });
  const res = respondWithError("UNKNOWN", new StoreUnavailableError("/srv/state/orchestrator.db", cause));
  expect(res.status).toBe(503);
  const body = (await res.json()) as { error: string; message: string };
  expect(body.error).toBe("STORE_UNAVAILABLE");
  expect(body.message).toContain("/srv/state/orchestrator.db");
  expect(body.message).toContain("no such table: events (SQLITE_ERROR)");
});

test("an OrchestratorError with a 4xx answers with its status, code and message", async () => {
  const res = respondWithError("UNKNOWN", new UnknownServiceError("apo", ["api"]));
  expect(res.status).toBe(404);
  expect(await res.json()).toEqual({ error: "UNKNOWN_SERVICE", message: 'expected one of the enabled services (api), got "apo"' });
});

test("an OrchestratorError with a 5xx other than 503 is an internal error", async () => {
  const res = respondWithError("UNKNOWN", new StateLockError("cannot lock /srv/state/orchestrator.lock"));
  expect(res.status).toBe(500);
  expect(((await res.json()) as { error: string }).error).toBe("INTERNAL");
});

test("something only shaped like one (code and status, not an OrchestratorError) is an internal error", async () => {
  for (const status of [404, 502]) {
    const res = respondWithError("UNKNOWN", Object.assign(new Error("boom"), { code: "X", status }));
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toBe("INTERNAL");
  }
});
