/** OpenAPI has no WebSocket operation; the stream is documented as the GET that upgrades. */
import { ErrorSchema } from "../contract/actions";
import { StreamMessageSchema } from "../contract/stream";
import { StreamQuery } from "./request-schemas";

const json = (schema: object) => ({ "application/json": { schema: JSON.parse(JSON.stringify(schema)) } });

export function streamDocumentation() {
  const query = StreamQuery.properties;
  return {
    "/orchestrator/stream": {
      get: {
        tags: ["stream"],
        operationId: "getOrchestratorStream",
        summary: "Live event stream (WebSocket)",
        description:
          "Upgrade to a WebSocket. The first message is a `snapshot` ({status, services} as of its seq); every later message is an event `{seq, ts, type, payload}` of type service, health, healing, status or (with ?logs=NAME,…) log, in seq order with no gap. " +
          "A client that falls behind by more than the backlog bound is closed with code 1013 and a reason naming the seq to replay from with GET /orchestrator/events?since=SEQ. " +
          "With a token set, send Authorization: Bearer TOKEN or ?token=TOKEN. A browser Origin outside api.cors (and not the API's own) is refused.",
        security: [{ bearer: [] }],
        parameters: [
          { name: "logs", in: "query", required: false, description: query.logs.description, schema: JSON.parse(JSON.stringify(query.logs)) },
          { name: "token", in: "query", required: false, description: query.token.description, schema: { type: "string" } },
        ],
        responses: {
          "101": { description: "Switching protocols; then JSON text messages as described by this schema.", content: json(StreamMessageSchema) },
          "400": { description: "Bad query", content: json(ErrorSchema) },
          "401": { description: "Token missing or wrong", content: json(ErrorSchema) },
          "403": { description: "Browser origin not allowed", content: json(ErrorSchema) },
          "404": { description: "?logs names an unknown service", content: json(ErrorSchema) },
          "429": { description: "Too many wrong tokens from this address; see Retry-After", content: json(ErrorSchema) },
        },
      },
    },
  };
}
