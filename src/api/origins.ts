/**
 * Browser origins. CORS headers and preflights are answered only for origins listed in
 * `api.cors`; mutating routes and the stream refuse a browser Origin that is neither listed
 * nor the API's own, so a web page the operator happens to visit cannot stop services or
 * read the stream (cross-site requests against a token-less loopback API).
 */
import { Elysia } from "elysia";
import { isLoopbackHost, isWildcardHost } from "./auth";
import { ForbiddenError, respondWithError } from "./errors";
import type { RouteMethods } from "./method-guard";

export interface OriginPolicy {
  /** Listed in `api.cors` (or the list holds "*"). */
  isListed(origin: string): boolean;
  /** No Origin (not a browser), a listed origin, or the API's own. */
  isTrusted(request: Request): boolean;
}

export function createOriginPolicy(options: { cors: string[]; host: string; port: number }): OriginPolicy {
  const listed = new Set(options.cors.map(normalizeOrigin));
  const isListed = (origin: string) => listed.has("*") || listed.has(normalizeOrigin(origin));
  const isOwn = (origin: string, request: Request) => {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    // bound to every interface: the only own origin we can know is the Host the browser used
    if (isWildcardHost(options.host)) return url.host === request.headers.get("host");
    if (port !== String(options.port)) return false;
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    return host === options.host.replace(/^\[(.*)\]$/, "$1") || (isLoopbackHost(options.host) && isLoopbackHost(host));
  };
  return {
    isListed,
    isTrusted(request) {
      const origin = request.headers.get("origin");
      return origin === null || isListed(origin) || isOwn(origin, request);
    },
  };
}

/** Throw 403 for a browser request from an origin that may not act on this API. */
export function requireTrustedOrigin(policy: OriginPolicy, request: Request): void {
  if (policy.isTrusted(request)) return;
  const origin = request.headers.get("origin") ?? "";
  throw new ForbiddenError(`origin ${JSON.stringify(origin.slice(0, 200))} is not allowed: expected the API's own origin or one listed in api.cors`);
}

/**
 * Answer preflights for listed origins (403 for others) and add CORS headers to their responses.
 * An OPTIONS without an Origin is no preflight: it is told the path's methods (`Allow`).
 */
export function corsPlugin(policy: OriginPolicy, methods: RouteMethods) {
  return new Elysia({ name: "orchestrator-cors" }).onRequest(({ request, set }) => {
    const origin = request.headers.get("origin");
    const allowed = origin !== null && policy.isListed(origin);
    if (allowed) Object.assign(set.headers, { "access-control-allow-origin": origin, vary: "Origin" });
    if (request.method !== "OPTIONS") return;
    if (origin === null) return describeMethods(methods, request);
    if (!allowed) return respondWithError("FORBIDDEN", new ForbiddenError(`CORS preflight refused: origin ${JSON.stringify((origin ?? "(none)").slice(0, 200))} is not listed in api.cors`));
    return new Response(null, {
      status: 204,
      headers: {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": "Authorization, Content-Type",
        "access-control-max-age": "600",
        vary: "Origin",
      },
    });
  });
}

// (Elysia adds the headers set so far, the security headers among them, to an early response.)
function describeMethods(methods: RouteMethods, request: Request): Response {
  const allow = methods.allowed(new URL(request.url).pathname);
  if (allow.length === 0) return respondWithError("NOT_FOUND", null);
  return new Response(null, { status: 204, headers: { allow: allow.join(", ") } });
}

function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, "").toLowerCase();
}
