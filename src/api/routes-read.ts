/** The read routes: each hands the port's read model through, validated against its schema. */
import { Elysia, t } from "elysia";
import { presentedToken } from "./auth";
import type { ApiContext } from "./context";
import { renderGraphText } from "./graph-text";
import { ApiError } from "./errors";
import { EventSchema } from "./event-schemas";
import { DependenciesQuery, EventsQuery, HealingQuery, LogsQuery, NameParams } from "./request-schemas";
import {
  ErrorSchema,
  GraphJsonSchema,
  HealthReportSchema,
  LogLineSchema,
  ServiceDetailSchema,
  ServiceSummarySchema,
  StatsSchema,
  StoredHealingSchema,
  SystemStatusSchema,
} from "./schemas";

const DEFAULT_LOG_LINES = 100;
const tags = ["read"];

export function readRoutes(ctx: ApiContext) {
  const { port } = ctx;
  return new Elysia({ name: "orchestrator-read", prefix: "/orchestrator" })
    .get("/status", () => port.status(), {
      response: { 200: SystemStatusSchema },
      detail: { tags, summary: "System status", description: "Overall state (starting, ready, degraded, stopping), uptime, counts by service state and the launch phase reached." },
    })
    .get("/services", () => port.services(), {
      response: { 200: t.Array(ServiceSummarySchema) },
      detail: { tags, summary: "List services", description: "One summary per service: state, phase, pid, port, restarts, uptime, health, memory, CPU, dependencies and breaker." },
    })
    .get(
      "/services/:name",
      ({ params, request }) => {
        const detail = port.service(params.name) ?? throwUnknown(ctx, params.name);
        // the effective env may hold secrets: with a token set, only its holders see the values
        if (ctx.tokenCheck.required && !ctx.tokenCheck(presentedToken(request))) {
          return { ...detail, config: { ...detail.config, env: Object.fromEntries(Object.keys(detail.config.env).map((k) => [k, "[redacted]"])) } };
        }
        return detail;
      },
      {
        params: NameParams,
        response: { 200: ServiceDetailSchema, 400: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema },
        detail: {
          tags,
          summary: "One service in detail",
          description: "The summary plus the last probe results, recent healing events and the effective configuration. Env values are redacted unless the caller presents the token (when one is set).",
        },
      },
    )
    .get("/services/:name/logs", ({ params, query }) => port.logs(params.name, query.lines ?? DEFAULT_LOG_LINES) ?? throwUnknown(ctx, params.name), {
      params: NameParams,
      query: LogsQuery,
      response: { 200: t.Array(LogLineSchema), 400: ErrorSchema, 404: ErrorSchema },
      detail: { tags, summary: "Recent output lines", description: "The newest `lines` lines of stdout and stderr (default 100, at most 1000), oldest first." },
    })
    .get("/health-status", () => port.healthReport(), {
      response: { 200: HealthReportSchema },
      detail: { tags, summary: "System health report", description: "Per-service health and an overall verdict: healthy, degraded (a non-critical service is not healthy) or unhealthy (a critical one is not)." },
    })
    .get(
      "/dependencies",
      ({ query, set }) => {
        const graph = port.dependencies();
        if (!query.format || query.format === "json") return graph;
        set.headers["content-type"] = "text/plain; charset=utf-8";
        return renderGraphText(graph, query.format);
      },
      {
        query: DependenciesQuery,
        response: { 200: t.Union([GraphJsonSchema, t.String({ description: "mermaid or dot source" })]), 400: ErrorSchema },
        detail: { tags, summary: "Dependency graph", description: "Nodes, edges, phase names and start order as JSON; `?format=mermaid` or `?format=dot` gives text to render." },
      },
    )
    .get("/healing-history", ({ query }) => port.healingHistory({ service: query.service, limit: query.limit }), {
      query: HealingQuery,
      response: { 200: t.Array(StoredHealingSchema), 400: ErrorSchema, 503: ErrorSchema },
      detail: {
        tags,
        summary: "Healing history",
        description: "Healing events (restarts, escalations, quarantine, breaker changes), newest first, from SQLite. A service that was removed keeps its history.",
      },
    })
    .get("/events", ({ query }) => port.events(query.since ?? 0, query.limit), {
      query: EventsQuery,
      response: { 200: t.Array(EventSchema), 400: ErrorSchema, 503: ErrorSchema },
      detail: {
        tags: ["stream"],
        summary: "Replay events",
        description: "Stored events with seq greater than `since`, oldest first (at most `limit`, default 1000): what a stream client missed while disconnected. `log` events are live-only.",
      },
    })
    .get("/stats", () => port.stats(), {
      response: { 200: StatsSchema },
      detail: { tags, summary: "Orchestrator statistics", description: "The orchestrator's own uptime, memory, CPU, probes run, restarts and events." },
    })
    .get(
      "/session",
      ({ request }) => {
        const token = presentedToken(request, true);
        const required = ctx.tokenCheck.required;
        return { tokenRequired: required, authenticated: !required || (token !== null && ctx.tokenCheck(token)) };
      },
      {
        response: { 200: SessionSchema },
        detail: {
          tags,
          summary: "Does this caller hold the token?",
          description: "Whether the API needs a token for actions and the stream, and whether the one presented (Bearer header or ?token=) is right. Lets a browser ask before opening the stream.",
        },
      },
    );
}

const SessionSchema = t.Object(
  { tokenRequired: t.Boolean(), authenticated: t.Boolean() },
  { examples: [{ tokenRequired: true, authenticated: false }] },
);

function throwUnknown(ctx: ApiContext, name: string): never {
  const known = ctx.port.services().map((s) => s.name);
  throw new ApiError("UNKNOWN_SERVICE", 404, `expected one of the services (${known.join(", ") || "none"}), got ${JSON.stringify(name)}`);
}
