/**
 * OrchestratorError, the base of every error src/ throws on purpose; and a walk over every
 * module of src/ that finds each exported error class and checks it extends the base with a
 * SCREAMING_SNAKE `code`, an HTTP `status`, its own `name`, and keeps the `cause` it wraps.
 */
import { describe, expect, test } from "bun:test";
import { Glob } from "bun";
import { join } from "node:path";
import { ApiError, BadRequestError, ForbiddenError, UnauthorizedError, UnsupportedMediaTypeError } from "../../src/api/errors";
import { MethodNotAllowedError, MisdirectedRequestError, TooManyGuessesError } from "../../src/api/guard-errors";
import { ApiServerError } from "../../src/api/server";
import { StateDirError } from "../../src/app/state-dir";
import { StateDirInUseError, StateLockError } from "../../src/app/state-lock-errors";
import { UsageError } from "../../src/cli/args";
import { ClientError } from "../../src/cli/client/errors";
import { StoreUnavailableError } from "../../src/events/store-unavailable";
import { GraphCycleError } from "../../src/graph/graph-error";
import { OrchestratorError } from "../../src/contract/errors";
import { EnvFileError } from "../../src/supervisor/env";
import { ShuttingDownError, UnknownServiceError } from "../../src/supervisor/errors";
import { InvalidTransitionError } from "../../src/supervisor/transition";
import { InvalidSystemTransitionError } from "../../src/contract/system-transition";
import { RunAsToolMissingError } from "../../src/process/run-as";
import { ProxyListenError } from "../../src/proxy/tcp-proxy";

class DiskFullError extends OrchestratorError {
  override readonly code = "DISK_FULL";
  override readonly status = 507;
  override readonly name = "DiskFullError";
}

describe("OrchestratorError", () => {
  test("a subclass is an Error with its code, status, name and message", () => {
    const error = new DiskFullError("expected room for the history file, found 0 bytes free");
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(OrchestratorError);
    expect({ code: error.code, status: error.status, name: error.name, message: error.message }).toEqual({
      code: "DISK_FULL",
      status: 507,
      name: "DiskFullError",
      message: "expected room for the history file, found 0 bytes free",
    });
    expect(String(error)).toBe("DiskFullError: expected room for the history file, found 0 bytes free");
    expect(error.stack).toContain("DiskFullError");
  });

  test("it keeps the error it wraps as cause, and has none when it wraps none", () => {
    const cause = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    expect(new DiskFullError("cannot write", { cause }).cause).toBe(cause);
    expect(new DiskFullError("cannot write").cause).toBeUndefined();
  });
});

const SRC = join(import.meta.dir, "../../src");
/** Not imported: the worker entry sets `self.onmessage`; the dashboard's browser code has its own ApiResponseError and never imports the server's modules. */
const SKIPPED = [/\.d\.ts$/, /^app\/load-worker\.ts$/, /^dashboard\/(?!index\.ts$)/];

/** Every class exported by a module of src/ whose instances are Errors, by class name. */
async function findErrorClasses(): Promise<Map<string, { cls: Function; file: string }>> {
  const found = new Map<string, { cls: Function; file: string }>();
  const files = [...new Glob("**/*.{ts,tsx}").scanSync({ cwd: SRC })].filter((file) => !SKIPPED.some((skip) => skip.test(file))).sort();
  for (const file of files) {
    const module = (await import(join(SRC, file))) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (typeof value !== "function" || !(value.prototype instanceof Error) || value === OrchestratorError) continue;
      if (!found.has(value.name)) found.set(value.name, { cls: value, file });
    }
  }
  return found;
}

const CAUSE = Object.assign(new Error("EACCES: permission denied, open '/srv/state/x'"), { code: "EACCES" });

/** One instance of each error class of src/, built as src/ builds it; `wraps` when it was given CAUSE. */
const EXAMPLES: Record<string, { error: Error; wraps?: true }> = {
  ApiError: { error: new ApiError("PAYLOAD_TOO_LARGE", 413, "expected no body, got 70000 bytes") },
  BadRequestError: { error: new BadRequestError("expected a service name") },
  RunAsToolMissingError: { error: new RunAsToolMissingError("setpriv") },
  ProxyListenError: { error: new ProxyListenError("web", "127.0.0.1", 8080, new Error("EADDRINUSE")) },
  UnauthorizedError: { error: new UnauthorizedError("expected a bearer token") },
  ForbiddenError: { error: new ForbiddenError("origin refused") },
  UnsupportedMediaTypeError: { error: new UnsupportedMediaTypeError("text/plain") },
  MisdirectedRequestError: { error: new MisdirectedRequestError("expected host 127.0.0.1:9000, got evil.example") },
  MethodNotAllowedError: { error: new MethodNotAllowedError("GET", "/orchestrator/reload", ["POST"]) },
  TooManyGuessesError: { error: new TooManyGuessesError(30_000, 10, 60_000) },
  ApiServerError: { error: new ApiServerError("PERMISSION_DENIED", "cannot listen on 0.0.0.0:80: permission denied", { cause: CAUSE }), wraps: true },
  StateDirError: { error: new StateDirError("/srv/state", CAUSE), wraps: true },
  StateDirInUseError: { error: new StateDirInUseError("/srv/state", { orchestrator: false, pid: null }, "/srv/state/orchestrator.lock") },
  StateLockError: { error: new StateLockError("cannot open the lock file /srv/state/orchestrator.lock", CAUSE), wraps: true },
  UsageError: { error: new UsageError('unknown option "--nope"') },
  ClientError: { error: new ClientError("UNREACHABLE", "no orchestrator is running at http://127.0.0.1:9000", { cause: CAUSE }), wraps: true },
  StoreUnavailableError: { error: new StoreUnavailableError("/srv/state/orchestrator.db", CAUSE), wraps: true },
  GraphCycleError: { error: new GraphCycleError([["api", "db"]]) },
  EnvFileError: { error: new EnvFileError("/srv/.env", 2, 'a line without "="') },
  UnknownServiceError: { error: new UnknownServiceError("apo", ["api"]) },
  ShuttingDownError: { error: new ShuttingDownError("start", "api") },
  InvalidTransitionError: { error: new InvalidTransitionError("stopping", "manual-start") },
  InvalidSystemTransitionError: { error: new InvalidSystemTransitionError("stopped", "all-well") },
};

const found = await findErrorClasses();

describe("every error class of src/", () => {
  test("extends OrchestratorError", () => {
    const plain = [...found].filter(([, { cls }]) => !(cls.prototype instanceof OrchestratorError)).map(([name, { file }]) => `${name} (src/${file})`);
    expect(plain).toEqual([]);
  });

  test("has an example here (add one for a new class)", () => {
    expect([...found.keys()].sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  for (const [name, { error, wraps }] of Object.entries(EXAMPLES)) {
    test(`${name}: a SCREAMING_SNAKE code, an HTTP status, its own name${wraps ? ", the cause it wraps" : ""}`, () => {
      const cls = found.get(name)?.cls;
      expect(cls && error instanceof cls).toBe(true);
      expect(error).toBeInstanceOf(OrchestratorError);
      const { code, status } = error as OrchestratorError;
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(Number.isInteger(status) && status >= 400 && status < 600).toBe(true);
      expect(error.name).toBe(name);
      expect(error.message.length).toBeGreaterThan(0);
      if (wraps) expect(error.cause).toBe(CAUSE);
    });
  }
});
