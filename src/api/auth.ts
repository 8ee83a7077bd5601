/**
 * Who may do what. With a token, mutating routes, the stream and every read route that
 * returns service output or history need `Authorization: Bearer` (the stream also takes
 * `?token=`, since browsers cannot set headers on a WebSocket); only OPEN_ROUTES stay open.
 * Wrong tokens are rate limited per client (./guess-limiter.ts). Browser origins are checked
 * separately (./origins.ts), and so is the Host (./host-guard.ts).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { UnauthorizedError } from "./errors";
import { TooManyGuessesError } from "./guard-errors";
import type { GuessLimiter } from "./guess-limiter";

/** What a caller without the token may still read (the OpenAPI document says so per route). */
export const OPEN_ROUTES = [
  "GET /orchestrator/status",
  "GET /orchestrator/health-status",
  "GET /orchestrator/session",
  "GET /metrics",
  "GET /docs, /docs/json and /docs/assets/*",
  "GET / (the dashboard page and its assets)",
] as const;

/** Shortest token accepted when the API listens beyond loopback. */
export const MIN_EXPOSED_TOKEN_LENGTH = 16;

export interface TokenCheck {
  /** True when no token is configured, or `candidate` is the token. */
  (candidate: string | null | undefined): boolean;
  readonly required: boolean;
}

/** A constant-time checker for `token`: both sides are hashed first, so the compare never leaks the length. */
export function createTokenCheck(token: string | undefined): TokenCheck {
  const expected = token ? digest(token) : null;
  const check = (candidate: string | null | undefined) => {
    if (!expected) return true;
    if (typeof candidate !== "string") return false;
    return timingSafeEqual(digest(candidate), expected);
  };
  return Object.assign(check, { required: expected !== null });
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** The token a request presents: the Bearer header, or (only when `allowQuery`) `?token=`. */
export function presentedToken(request: Request, allowQuery = false): string | null {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    return match ? match[1]! : "";
  }
  if (allowQuery) return new URL(request.url).searchParams.get("token");
  return null;
}

/** The token check with its guess limit: what the routes call. `address` is the client's IP. */
export interface TokenGate {
  readonly required: boolean;
  /** Throw 401 unless the request carries the token (when one is configured); 429 while its client is locked out. */
  require(request: Request, address: string, allowQuery?: boolean): void;
  /** Whether the request carries the token (true when none is configured); a wrong one counts as a guess, 429 while locked out. */
  holds(request: Request, address: string, allowQuery?: boolean): boolean;
}

export function createTokenGate(check: TokenCheck, limiter: GuessLimiter): TokenGate {
  const verdict = (request: Request, address: string, allowQuery: boolean): "ok" | "missing" | "wrong" => {
    if (!check.required) return "ok";
    const token = presentedToken(request, allowQuery);
    if (token === null) return "missing";
    const wait = limiter.retryAfterMs(address);
    if (wait > 0) throw new TooManyGuessesError(wait, limiter.budget, limiter.windowMs);
    if (check(token)) return "ok";
    limiter.recordWrong(address, token);
    return "wrong";
  };
  return {
    required: check.required,
    require(request, address, allowQuery = false) {
      const result = verdict(request, address, allowQuery);
      if (result === "missing") throw new UnauthorizedError(`expected "Authorization: Bearer <token>"${allowQuery ? " or ?token=" : ""}, got no token`);
      if (result === "wrong") throw new UnauthorizedError("expected the API token, got a different one");
    },
    holds: (request, address, allowQuery = false) => verdict(request, address, allowQuery) === "ok",
  };
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.replace(/^::ffff:/, "");
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Whether `host` is a bind-everything address (0.0.0.0, ::), which names no host of its own. */
export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1"));
}

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", ""]);

/**
 * Refuse to expose the API beyond this machine without a token long enough not to be guessed.
 * Returns the reason to print (the CLI exits 2), or null when the combination is safe.
 */
export function checkExposure(options: { host: string; token?: string }): string | null {
  const length = (options.token ?? "").length;
  if (isLoopbackHost(options.host) || length >= MIN_EXPOSED_TOKEN_LENGTH) return null;
  const got = length === 0 ? "api.token is empty" : `api.token has only ${length} character${length === 1 ? "" : "s"}`;
  return (
    `api.host is "${options.host}", which is reachable from other machines, and ${got}: ` +
    `expected a loopback host (127.0.0.1, ::1, localhost) or a token of at least ${MIN_EXPOSED_TOKEN_LENGTH} characters ` +
    `(set api.token, e.g. "\${ORCHESTRATOR_TOKEN}" with ORCHESTRATOR_TOKEN=$(openssl rand -hex 32))`
  );
}
