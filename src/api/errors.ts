/**
 * The API's own errors (OrchestratorErrors that also carry response headers and body fields),
 * and the one mapping from anything thrown (ours, the supervisor's, Elysia's) to a JSON
 * `{error, message}` response. Bad input is always a 4xx; a coded 503 (the history file cannot
 * be read) passes through; only a bug reaches 500, and then without a stack trace.
 */
import { OrchestratorError } from "../contract/errors";
import type { ErrorBody } from "../contract/actions";

export class ApiError extends OrchestratorError {
  override readonly name: string = "ApiError";
  constructor(
    override readonly code: string,
    override readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** More fields for the JSON body, e.g. `issues`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class BadRequestError extends ApiError {
  override readonly name = "BadRequestError";
  constructor(message: string, code = "BAD_REQUEST") {
    super(code, 400, message);
  }
}

export class UnauthorizedError extends ApiError {
  override readonly name = "UnauthorizedError";
  constructor(message: string) {
    super("UNAUTHORIZED", 401, message, { "www-authenticate": 'Bearer realm="orchestrator"' });
  }
}

export class ForbiddenError extends ApiError {
  override readonly name = "ForbiddenError";
  constructor(message: string) {
    super("FORBIDDEN", 403, message);
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  override readonly name = "UnsupportedMediaTypeError";
  constructor(got: string) {
    super("UNSUPPORTED_MEDIA_TYPE", 415, `expected no body or an application/json body, got content-type "${truncate(got, 100)}"`);
  }
}


/** The response for anything thrown while handling a request. */
export function respondWithError(code: string | number, error: unknown): Response {
  const { status, body, headers } = describeError(code, error);
  return Response.json(body, { status, headers });
}

function describeError(code: string | number, error: unknown): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (error instanceof ApiError) return { status: error.status, body: { ...error.extra, error: error.code, message: error.message }, headers: error.headers };
  if (error instanceof OrchestratorError && answersAsItIs(error.status)) return { status: error.status, body: { error: error.code, message: error.message } };
  if (code === "VALIDATION" && (error as { type?: string }).type === "response") {
    return { status: 500, body: { error: "INTERNAL", message: `response did not match its schema (please report): ${describeValidation(error)}` } };
  }
  if (code === "VALIDATION") return { status: 400, body: { error: "VALIDATION", message: describeValidation(error) } };
  if (code === "PARSE") return { status: 400, body: { error: "PARSE", message: "expected a well-formed request body" } };
  if (code === "NOT_FOUND") return { status: 404, body: { error: "NOT_FOUND", message: "no such route; see /docs for the API" } };
  if (code === "INVALID_COOKIE_SIGNATURE") return { status: 400, body: { error: "BAD_REQUEST", message: "invalid cookie" } };
  return { status: 500, body: { error: "INTERNAL", message: "internal error (please report): " + truncate(String((error as { message?: unknown })?.message ?? error), 300) } };
}

/** The caller's to fix (4xx), or unavailable for now (503); any other status is ours and answered as 500. */
function answersAsItIs(status: number): boolean {
  return (status >= 400 && status < 500) || status === 503;
}

// Elysia's ValidationError: our schemas carry an `error` message naming the field; fall back
// to the first TypeBox issue with its path.
function describeValidation(error: unknown): string {
  const e = error as { type?: string; customError?: unknown; valueError?: { path?: string; message?: string; value?: unknown }; value?: unknown };
  const where = e.type === "property" ? "" : `${e.type ?? "input"}`;
  const detail = e.valueError;
  const got = detail && "value" in detail ? detail.value : e.value;
  const found = `, got ${describeGot(got)}`;
  if (typeof e.customError === "string") return `${e.customError}${found}`;
  const path = detail?.path ? detail.path.replace(/^\//, "").replace(/\//g, ".") : "";
  return `${[where, path].filter(Boolean).join(".") || "input"}: ${detail?.message ?? "invalid"}${found}`;
}

/** What a 400 says it got: the value as JSON (a string quoted, a number bare), cut at 80 characters. */
export function describeGot(value: unknown): string {
  return truncate(safeJson(value), 80);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
