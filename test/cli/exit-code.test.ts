/** exitCodeFor: the CLI's exit code comes from an OrchestratorError's `code`, never from its HTTP-like `status`. */
import { expect, test } from "bun:test";
import { StateDirInUseError } from "../../src/app/state-lock-errors";
import { UsageError } from "../../src/cli/args";
import { ClientError } from "../../src/cli/client/errors";
import { exitCodeFor } from "../../src/cli/exit-code";
import { StoreUnavailableError } from "../../src/events/store-unavailable";

test("usage and configuration problems exit 2", () => {
  expect(exitCodeFor(new UsageError('unknown option "--nope"'))).toBe(2);
  for (const code of ["BAD_API_URL", "BAD_MANIFEST", "UNAUTHORIZED", "UNKNOWN_SERVICE", "BAD_REQUEST"] as const) {
    expect({ code, exit: exitCodeFor(new ClientError(code, "m")) }).toEqual({ code, exit: 2 });
  }
});

test("runtime failures exit 1, whatever their status", () => {
  // a 404 the API gave for a service that exists, a conflict, an unreachable API, a taken state.dir, a broken history
  expect(exitCodeFor(new ClientError("API_ERROR", "api: no such log", { httpStatus: 404 }))).toBe(1);
  expect(exitCodeFor(new ClientError("CONFLICT", "api is already running", { httpStatus: 409 }))).toBe(1);
  expect(exitCodeFor(new ClientError("UNREACHABLE", "no orchestrator is running"))).toBe(1);
  expect(exitCodeFor(new StateDirInUseError("/srv/state", { orchestrator: false, pid: null }, "/srv/state/orchestrator.lock"))).toBe(1);
  expect(exitCodeFor(new StoreUnavailableError("/srv/state/orchestrator.db", new Error("disk I/O error"), "open"))).toBe(1);
});

test("something only shaped like a usage error (not an OrchestratorError) exits 1", () => {
  expect(exitCodeFor(Object.assign(new Error("x"), { code: "USAGE", status: 2 }))).toBe(1);
  expect(exitCodeFor("a string")).toBe(1);
});
