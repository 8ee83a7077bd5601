/**
 * The HTTP API (SPEC §10) as an Elysia app over the OrchestratorPort: read routes, actions,
 * the event stream, metrics and the OpenAPI docs. `GET /` belongs to the dashboard, which
 * plugs in through `options.dashboard`. Before any route, every request passes the guards in
 * order: security headers set, Host checked (421), method checked (405), CORS.
 */
import { Elysia, type AnyElysia } from "elysia";
import type { OrchestratorPort } from "../app/port";
import { systemClock, type Clock } from "../lib/clock";
import { createTokenCheck, createTokenGate } from "./auth";
import type { ApiContext } from "./context";
import { docsPlugin } from "./docs";
import { respondWithError } from "./errors";
import { GuessLimiter, type GuessLimitOptions } from "./guess-limiter";
import { createHostPolicy, hostGuard } from "./host-guard";
import { createRouteMethods, methodGuard, wrongMethod } from "./method-guard";
import { metricsRoute } from "./metrics";
import { corsPlugin, createOriginPolicy } from "./origins";
import { actionRoutes } from "./routes-actions";
import { readRoutes } from "./routes-read";
import { securityHeaders } from "./security-headers";
import { streamRoute, type StreamOptions } from "./stream";

export interface ApiOptions {
  /** When set (non-empty), POST routes, the stream and the reads of output and history need it as a Bearer token. */
  token?: string;
  /** Browser origins allowed CORS and the stream, e.g. "https://ops.example.com"; "*" allows any. */
  cors: string[];
  /** Where the server listens: the API's own origin (always trusted) is derived from these. */
  host: string;
  port: number;
  /** Host names (besides loopback and `host`) that requests may be addressed to; ".example.com" allows its subdomains. */
  allowedHosts?: string[];
  stream?: StreamOptions;
  /** Wrong tokens a client may present per window before it gets 429. */
  guesses?: GuessLimitOptions;
  /** Time for the guess windows. Default: the system clock. */
  clock?: Pick<Clock, "now">;
  /**
   * Adds `GET /` and whatever the dashboard serves: an Elysia plugin instance, or a function
   * `(app) => app.get("/", …)`. It is mounted after the API routes and shares their error
   * handling (JSON 404 for unknown paths). Hide its routes from the docs with `detail: { hide: true }`.
   */
  dashboard?: AnyElysia | ((app: AnyElysia) => AnyElysia);
}

const MAX_BODY_BYTES = 1024 * 1024;

/** Build the API app; serve it with startApiServer (./server.ts) or call `app.handle(request)` in tests. */
export function createApi(port: OrchestratorPort, options: ApiOptions) {
  const limiter = new GuessLimiter(options.clock ?? systemClock, options.guesses);
  const ctx: ApiContext = {
    port,
    auth: createTokenGate(createTokenCheck(options.token || undefined), limiter),
    origins: createOriginPolicy({ cors: options.cors, host: options.host, port: options.port }),
  };
  const methods = createRouteMethods(() => app.router.history);
  const app = new Elysia({
    name: "orchestrator-api",
    serve: { maxRequestBodySize: MAX_BODY_BYTES },
    websocket: { maxPayloadLength: 64 * 1024, idleTimeout: 120 },
  })
    .onError({ as: "global" }, ({ code, error, set, request }) => {
      // no route for this method: 405 when the path exists for another one
      const refusal = code === "NOT_FOUND" ? wrongMethod(methods, request) : null;
      return withHeaders(refusal ? respondWithError(refusal.code, refusal) : respondWithError(code, error), set.headers);
    })
    .use(securityHeaders())
    .use(hostGuard(createHostPolicy({ host: options.host, allowedHosts: options.allowedHosts })))
    .use(methodGuard(methods))
    .use(corsPlugin(ctx.origins, methods))
    .use(docsPlugin())
    .use(readRoutes(ctx))
    .use(actionRoutes(ctx))
    .use(streamRoute(ctx, options.stream))
    .use(metricsRoute(port));
  if (options.dashboard) app.use(options.dashboard as AnyElysia);
  return app;
}

// CORS headers set before the error must survive it, so a browser can read the JSON error.
function withHeaders(response: Response, headers: Record<string, unknown>): Response {
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value === "string" && !response.headers.has(key)) response.headers.set(key, value);
  }
  return response;
}

/** The app createApi builds (what tests hand requests to). */
export type OrchestratorApi = ReturnType<typeof createApi>;
