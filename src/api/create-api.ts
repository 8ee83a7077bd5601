/**
 * The HTTP API (SPEC §10) as an Elysia app over the OrchestratorPort: read routes, actions,
 * the event stream, metrics and the OpenAPI docs. `GET /` belongs to the dashboard, which
 * plugs in through `options.dashboard`.
 */
import { Elysia, type AnyElysia } from "elysia";
import type { OrchestratorPort } from "../app/port";
import { createTokenCheck } from "./auth";
import type { ApiContext } from "./context";
import { docsPlugin } from "./docs";
import { respondWithError } from "./errors";
import { metricsRoute } from "./metrics";
import { corsPlugin, createOriginPolicy } from "./origins";
import { actionRoutes } from "./routes-actions";
import { readRoutes } from "./routes-read";
import { streamRoute, type StreamOptions } from "./stream";

export interface ApiOptions {
  /** When set (non-empty), POST routes and the stream need it as a Bearer token. */
  token?: string;
  /** Browser origins allowed CORS and the stream, e.g. "https://ops.example.com"; "*" allows any. */
  cors: string[];
  /** Where the server listens: the API's own origin (always trusted) is derived from these. */
  host: string;
  port: number;
  stream?: StreamOptions;
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
  const ctx: ApiContext = {
    port,
    tokenCheck: createTokenCheck(options.token || undefined),
    origins: createOriginPolicy({ cors: options.cors, host: options.host, port: options.port }),
  };
  const app = new Elysia({
    name: "orchestrator-api",
    serve: { maxRequestBodySize: MAX_BODY_BYTES },
    websocket: { maxPayloadLength: 64 * 1024, idleTimeout: 120 },
  })
    .onError({ as: "global" }, ({ code, error, set }) => withHeaders(respondWithError(code, error), set.headers))
    .onAfterHandle({ as: "global" }, ({ set }) => {
      set.headers["x-content-type-options"] = "nosniff";
    })
    .use(corsPlugin(ctx.origins))
    .use(docsPlugin())
    .use(readRoutes(ctx))
    .use(actionRoutes(ctx))
    .use(streamRoute(ctx, options.stream))
    .use(metricsRoute(port));
  if (options.dashboard) app.use(options.dashboard as AnyElysia);
  return app;
}

export type OrchestratorApi = ReturnType<typeof createApi>;

// CORS headers set before the error must survive it, so a browser can read the JSON error.
function withHeaders(response: Response, headers: Record<string, unknown>): Response {
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value === "string" && !response.headers.has(key)) response.headers.set(key, value);
  }
  return response;
}
