/**
 * The mutating routes. Each checks, in order: the browser origin (403), the token (401),
 * the body (none, or well-formed JSON, which is ignored), then acts through the port and
 * answers 202 at once; progress shows on the stream.
 */
import { Elysia } from "elysia";
import { ActionAcceptedSchema, ErrorSchema, ReloadDiffSchema, ReloadRejectedSchema, type ServiceActionName } from "../contract/actions";
import { clientAddress, type ApiContext, type ClientSocketInfo } from "./context";
import { ApiError, BadRequestError, UnsupportedMediaTypeError } from "./errors";
import { requireTrustedOrigin } from "./origins";
import { NameParams, ReloadQuery } from "./request-schemas";

const MAX_BODY_BYTES = 64 * 1024;
const tags = ["actions"];
const security = [{ bearer: [] }];

const DESCRIPTIONS: Record<ServiceActionName, string> = {
  restart: "Restart the service now, whatever its state; lifts quarantine and resets its breaker.",
  stop: "Stop the service (its shutdown signal, then SIGKILL after the timeout). It stays stopped until started.",
  start: "Start a stopped, failed or completed service.",
};

export function actionRoutes(ctx: ApiContext) {
  const guard = async ({ request, server }: { request: Request; server: ClientSocketInfo | null }) => {
    requireTrustedOrigin(ctx.origins, request);
    ctx.auth.require(request, clientAddress(server, request));
    await rejectBadBody(request);
  };
  const app = new Elysia({ name: "orchestrator-actions", prefix: "/orchestrator" });
  for (const action of ["restart", "stop", "start"] as const) {
    app.post(
      `/${action}/:name`,
      ({ params, set }) => {
        const accepted = ctx.port.act(action, params.name);
        accepted.done.catch(() => {}); // its outcome is reported as events, not here
        set.status = 202;
        return { service: accepted.service, action: accepted.action, from: accepted.from, accepted: true as const };
      },
      {
        params: NameParams,
        beforeHandle: guard,
        response: { 202: ActionAcceptedSchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema },
        detail: { tags, security, summary: `${action[0]!.toUpperCase()}${action.slice(1)} a service`, description: `${DESCRIPTIONS[action]} Answers 202 without waiting; 404 for an unknown service, 409 when the action conflicts with its state or with shutdown.` },
      },
    );
  }
  return app.post(
    "/reload",
    async ({ query }) => {
      const outcome = await ctx.port.reload({ wait: query.wait === "true" });
      if (outcome.ok) return outcome.diff;
      const errors = outcome.issues.filter((i) => i.severity === "error").length;
      const message = `the manifest has ${errors} problem${errors === 1 ? "" : "s"}; nothing was changed`;
      throw new ApiError("INVALID_MANIFEST", 422, message, {}, { issues: outcome.issues });
    },
    {
      beforeHandle: guard,
      query: ReloadQuery,
      response: { 200: ReloadDiffSchema, 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 409: ErrorSchema, 422: ReloadRejectedSchema, 429: ErrorSchema },
      detail: {
        tags,
        security,
        summary: "Reload the manifest",
        description: "Re-read the manifest and discovery: start added services, stop removed ones, restart changed ones, leave the rest. Returns the diff (with `?wait=true`, once every changed service is ready or rolled back to its previous config: `ready`, `rolledBack`); 422 with every positioned problem when the new manifest is invalid (nothing changes).",
      },
    },
  );
}

// These routes take no input in the body; accept none, or JSON (ignored), so a client that
// always sends `{}` works, but garbage is named for what it is.
async function rejectBadBody(request: Request): Promise<void> {
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_BODY_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE", 413, `expected no body, got ${length} bytes`);
  if (!request.body) return;
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new ApiError("PAYLOAD_TOO_LARGE", 413, `expected no body, got ${text.length} characters`);
  if (text.trim() === "") return;
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) throw new UnsupportedMediaTypeError(type || "(none)");
  try {
    JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`body: expected no body or well-formed JSON, got ${(err as Error).message}`, "PARSE");
  }
}
