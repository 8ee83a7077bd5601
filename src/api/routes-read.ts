/**
 * The read routes: each hands the port's read model through, validated against its schema,
 * except the list of services and the snapshot, the reads that clients poll and whose answer
 * grows with the fleet: they are serialized as they are (see jsonResponse). With a token set,
 * those that return service output or history (services, snapshot, logs, events, healing,
 * dependencies, stats) need it; status, health-status and session stay open.
 */
import { Elysia, t } from "elysia";
import { ErrorSchema } from "../contract/actions";
import { EventSchema, StoredHealingSchema } from "../contract/events";
import { GraphJsonSchema } from "../contract/graph-json";
import { LogLineSchema } from "../contract/output";
import { ServiceDetailSchema, ServiceSummarySchema } from "../contract/service-view";
import { FleetSnapshotSchema, HealthReportSchema, StatsSchema, SystemStatusSchema } from "../contract/system-view";
import { WhySchema } from "../contract/why";
import { clientAddress, type ApiContext, type ClientSocketInfo } from "./context";
import { renderGraphText } from "./graph-text";
import { ApiError } from "./errors";
import { requireInteger } from "./integer-query";
import { pickFields, requireFields } from "./service-fields";
import { DependenciesQuery, EventsQuery, FieldsQuery, HealingQuery, LIMIT_FIELD, LINES_FIELD, LogsQuery, NameParams, SINCE_FIELD } from "./request-schemas";

const DEFAULT_LOG_LINES = 100;
const tags = ["read"];
/** OpenAPI `security` of a route that needs the token when one is set, and of one open to all. */
const tokenNeeded = [{ bearer: [] }];
const open: [] = [];

export function readRoutes(ctx: ApiContext) {
  const { port } = ctx;
  const guard = ({ request, server }: { request: Request; server: ClientSocketInfo | null }) => ctx.auth.require(request, clientAddress(server, request));
  return new Elysia({ name: "orchestrator-read", prefix: "/orchestrator" })
    .get("/status", () => port.status(), {
      response: { 200: SystemStatusSchema },
      detail: { tags, security: open, summary: "System status", description: "Overall state (starting, ready, degraded, stopping), uptime, counts by service state and the launch phase reached." },
    })
    .get("/services", ({ query }) => jsonResponse(pickFields(port.services(), requireFields(query.fields))), {
      query: FieldsQuery,
      beforeHandle: guard,
      response: { 200: t.Array(ServiceSummarySchema), 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
      detail: {
        tags,
        security: tokenNeeded,
        summary: "List services",
        description:
          "One summary per service: state, phase, pid, port, restarts, uptime, health, memory, CPU, dependencies and breaker. With `fields`, each summary carries only those fields (and `name`).",
      },
    })
    .get("/snapshot", ({ query }) => jsonResponse({ status: port.status(), services: pickFields(port.services(), requireFields(query.fields)) }), {
      query: FieldsQuery,
      beforeHandle: guard,
      response: { 200: FleetSnapshotSchema, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
      detail: {
        tags,
        security: tokenNeeded,
        summary: "Status and services in one read",
        description:
          "`{status, services}`: the system status and the service summaries taken at the same instant, as the stream's first `snapshot` message carries them, so a header of counts and the rows below it agree (`orchestrator status` reads this). `fields` cuts the summaries as on GET /services.",
      },
    })
    .get("/services/:name", ({ params }) => port.service(params.name) ?? throwUnknown(ctx, params.name), {
      params: NameParams,
      beforeHandle: guard,
      response: { 200: ServiceDetailSchema, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema },
      detail: {
        tags,
        security: tokenNeeded,
        summary: "One service in detail",
        description: "The summary plus the last probe results, recent healing events and the effective configuration (env values included: hence the token).",
      },
    })
    .get("/services/:name/why", ({ params }) => port.why(params.name) ?? throwUnknown(ctx, params.name), {
      params: NameParams,
      beforeHandle: guard,
      response: { 200: WhySchema, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema },
      detail: {
        tags,
        security: tokenNeeded,
        summary: "Why a service is in its state",
        description:
          "The explanation `orchestrator why NAME` prints: its state and reason, what it waits for now, its dependencies and their breakers, the incidents it was part of, its attempts (tier, exit code or signal, reason) and the crash context of its last failures, and the timeline of all of it.",
      },
    })
    .get("/services/:name/logs", ({ params, query }) => port.logs(params.name, requireInteger(query.lines, LINES_FIELD) ?? DEFAULT_LOG_LINES) ?? throwUnknown(ctx, params.name), {
      params: NameParams,
      query: LogsQuery,
      beforeHandle: guard,
      response: { 200: t.Array(LogLineSchema), 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema },
      detail: { tags, security: tokenNeeded, summary: "Recent output lines", description: "The newest `lines` lines of stdout and stderr (default 100, at most 1000), oldest first." },
    })
    .get("/health-status", () => port.healthReport(), {
      response: { 200: HealthReportSchema },
      detail: { tags, security: open, summary: "System health report", description: "Per-service health and an overall verdict: healthy, degraded (a non-critical service is not healthy) or unhealthy (a critical one is not)." },
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
        beforeHandle: guard,
        response: { 200: t.Union([GraphJsonSchema, t.String({ description: "mermaid or dot source" })]), 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
        detail: { tags, security: tokenNeeded, summary: "Dependency graph", description: "Nodes, edges, phase names and start order as JSON; `?format=mermaid` or `?format=dot` gives text to render." },
      },
    )
    .get("/healing-history", ({ query }) => port.healingHistory({ service: query.service, limit: requireInteger(query.limit, LIMIT_FIELD) }), {
      query: HealingQuery,
      beforeHandle: guard,
      response: { 200: t.Array(StoredHealingSchema), 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema },
      detail: {
        tags,
        security: tokenNeeded,
        summary: "Healing history",
        description: "Healing events (restarts, escalations, quarantine, breaker changes), newest first, from SQLite. A service that was removed keeps its history.",
      },
    })
    .get("/events", ({ query }) => port.events(requireInteger(query.since, SINCE_FIELD) ?? 0, requireInteger(query.limit, LIMIT_FIELD)), {
      query: EventsQuery,
      beforeHandle: guard,
      response: { 200: t.Array(EventSchema), 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema },
      detail: {
        tags: ["stream"],
        security: tokenNeeded,
        summary: "Replay events",
        description: "Stored events with seq greater than `since`, oldest first (at most `limit`, default 1000): what a stream client missed while disconnected. `log` events are live-only.",
      },
    })
    .get("/stats", () => port.stats(), {
      beforeHandle: guard,
      response: { 200: StatsSchema, 401: ErrorSchema, 429: ErrorSchema },
      detail: { tags, security: tokenNeeded, summary: "Orchestrator statistics", description: "The orchestrator's own uptime, memory, CPU, probes run, restarts and events." },
    })
    .get(
      "/session",
      ({ request, server }) => ({ tokenRequired: ctx.auth.required, authenticated: ctx.auth.holds(request, clientAddress(server, request), true) }),
      {
        response: { 200: SessionSchema, 429: ErrorSchema },
        detail: {
          tags,
          security: open,
          summary: "Does this caller hold the token?",
          description:
            "Whether the API needs a token (for actions, the stream and the reads of output and history), and whether the one presented (Bearer header or ?token=) is right. Lets a browser ask before opening the stream. Wrong tokens are limited per client address: past the budget, 429 with Retry-After.",
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

/**
 * GET /services and /snapshot as JSON without Elysia's response pass. For 200 services that
 * pass (a normalizing copy, then the schema check) took 180 of 450 µs per request in process
 * (docs/BENCHMARKS.md, "API reads"); the schemas stay on the routes for the OpenAPI document,
 * and test/api/schemas.test.ts checks the real port's answers against them key by key.
 * Headers set by the guards (security headers, CORS) are merged into it like any response.
 */
function jsonResponse(body: unknown): Response {
  return new Response(JSON.stringify(body), { headers: { "content-type": "application/json;charset=utf-8" } });
}
