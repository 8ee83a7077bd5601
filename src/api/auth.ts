/**
 * Who may do what. With a token, mutating routes and the stream need `Authorization: Bearer`
 * (the stream also takes `?token=`, since browsers cannot set headers on a WebSocket).
 * Read routes stay open. Browser origins are checked separately (./origins.ts).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { UnauthorizedError } from "./errors";

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

/** Throw 401 unless the request carries the token (when one is configured). */
export function requireToken(check: TokenCheck, request: Request, allowQuery = false): void {
  if (!check.required) return;
  const token = presentedToken(request, allowQuery);
  if (token === null) throw new UnauthorizedError(`expected "Authorization: Bearer <token>"${allowQuery ? " or ?token=" : ""}, got no token`);
  if (!check(token)) throw new UnauthorizedError("expected the API token, got a different one");
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.replace(/^::ffff:/, "");
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * Refuse to expose an unauthenticated API beyond this machine. Returns the reason to print
 * (the CLI exits 2), or null when the combination is safe.
 */
export function checkExposure(options: { host: string; token?: string }): string | null {
  if (isLoopbackHost(options.host) || (options.token ?? "") !== "") return null;
  return (
    `api.host is "${options.host}", which is reachable from other machines, and api.token is empty: ` +
    `expected a loopback host (127.0.0.1, ::1, localhost) or a token (set api.token, e.g. "\${ORCHESTRATOR_TOKEN}")`
  );
}
