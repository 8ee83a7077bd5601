/** describeError: coded 4xx and the store's 503 pass through as JSON; anything else is a 500 without a stack. */
import { expect, test } from "bun:test";
import { respondWithError } from "../../src/api/errors";
import { StoreUnavailableError } from "../../src/events/store-unavailable";

test("a StoreUnavailableError answers 503 JSON naming the file and the cause", async () => {
  const cause = Object.assign(new Error("no such table: events"), { code: "SQLITE_ERROR" });
  const res = respondWithError("UNKNOWN", new StoreUnavailableError("/srv/state/orchestrator.db", cause));
  expect(res.status).toBe(503);
  const body = (await res.json()) as { error: string; message: string };
  expect(body.error).toBe("STORE_UNAVAILABLE");
  expect(body.message).toContain("/srv/state/orchestrator.db");
  expect(body.message).toContain("no such table: events (SQLITE_ERROR)");
});

test("other coded 5xx errors are still internal errors", async () => {
  const res = respondWithError("UNKNOWN", Object.assign(new Error("boom"), { code: "X", status: 502 }));
  expect(res.status).toBe(500);
  expect(((await res.json()) as { error: string }).error).toBe("INTERNAL");
});
