/**
 * The refusals of the request guards (host, method, token guesses), as ApiErrors so the one
 * error mapping (./errors.ts) answers them as JSON `{error, message}` with their headers.
 */
import { ApiError } from "./errors";

/** 421: the Host header names a host this orchestrator does not answer to (DNS rebinding). */
export class MisdirectedRequestError extends ApiError {
  override readonly name = "MisdirectedRequestError";
  constructor(message: string) {
    super("MISDIRECTED", 421, message);
  }
}

/** 405: the path exists, but not for this method (or the method is never served); `Allow` lists the ones that are. */
export class MethodNotAllowedError extends ApiError {
  override readonly name = "MethodNotAllowedError";
  constructor(method: string, path: string, allowed: readonly string[]) {
    const what = allowed.length > 0 ? `expected ${allowed.join(", ")}` : "the API serves no method there";
    super("METHOD_NOT_ALLOWED", 405, `${path}: ${what}, got ${JSON.stringify(method.slice(0, 40))}`, { allow: allowed.join(", ") });
  }
}

/** 429: too many wrong tokens from one client address; `Retry-After` says when it may try again. */
export class TooManyGuessesError extends ApiError {
  override readonly name = "TooManyGuessesError";
  constructor(retryAfterMs: number, budget: number, windowMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(
      "TOO_MANY_REQUESTS",
      429,
      `too many wrong tokens from this address: expected at most ${budget} different wrong tokens per ${windowMs / 1000} s, try again in ${seconds} s`,
      { "retry-after": String(seconds) },
    );
  }
}
