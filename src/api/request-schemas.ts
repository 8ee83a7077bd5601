/**
 * Params and query strings. Each carries an `error` that names the field and says what is
 * expected, so a 400 reads `query.limit: expected an integer from 1 to 10000, got -1`.
 */
import { t } from "elysia";
import { describeIntegerField, type IntegerField } from "./integer-query";
import { FIELDS_EXPECTED } from "./service-fields";

/** The manifest's service-name rule; it also keeps `..`, `/`, NUL and friends out of every path. */
// an instance of a service with replicas is NAME@i (SPEC §15)
export const SERVICE_NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._~-]*(@[1-9][0-9]*)?$";
export const MAX_NAME_LENGTH = 128;
export const MAX_LOG_LINES = 1000;
export const MAX_LIMIT = 10_000;

/** The integer query fields: their schemas below and the handlers' second check (requireInteger) share these. */
export const LINES_FIELD: IntegerField = { where: "query.lines", minimum: 1, maximum: MAX_LOG_LINES };
export const LIMIT_FIELD: IntegerField = { where: "query.limit", minimum: 1, maximum: MAX_LIMIT };
export const SINCE_FIELD: IntegerField = { where: "query.since", minimum: 0, maximum: Number.MAX_SAFE_INTEGER };

function serviceName(where: string) {
  return t.String({
    pattern: SERVICE_NAME_PATTERN,
    minLength: 1,
    maxLength: MAX_NAME_LENGTH,
    description: "A service name as in the manifest, or an instance NAME@i of a service with replicas.",
    examples: ["api"],
    error: `${where}: expected a service name (letters, digits, ".", "_", "~", "-"; starting with a letter or digit; at most ${MAX_NAME_LENGTH} characters), or NAME@i for an instance`,
  });
}

function integer(field: IntegerField, description: string, example: number) {
  const { minimum, maximum } = field;
  return t.Integer({ minimum, maximum, description, examples: [example], error: describeIntegerField(field) });
}

export const NameParams = t.Object({ name: serviceName("params.name") });

export const LogsQuery = t.Object({
  lines: t.Optional(integer(LINES_FIELD, "How many of the newest lines (default 100).", 100)),
});

/** GET /services and /snapshot: a sparse field set of the summary (service-fields.ts checks the names). */
export const FieldsQuery = t.Object({
  fields: t.Optional(
    t.String({
      pattern: "^[A-Za-z]+(,[A-Za-z]+)*$",
      maxLength: 512,
      description: "Comma-separated summary fields to return, e.g. `name,state,pid` (`name` is always included). Default: all.",
      examples: ["name,state,pid,health"],
      error: FIELDS_EXPECTED,
    }),
  ),
});

export const DependenciesQuery = t.Object({
  format: t.Optional(
    // t.UnionEnum, not a union of literals: the generator publishes that one without its description
    t.UnionEnum(["json", "mermaid", "dot"], { description: "json (default), or mermaid / dot text.", error: 'query.format: expected "json", "mermaid" or "dot"' }),
  ),
});

export const ReloadQuery = t.Object({
  wait: t.Optional(
    t.UnionEnum(["true", "false"], {
      description: "true: answer once every changed service is ready or rolled back to its previous config, and say which (SPEC §15).",
      error: 'query.wait: expected "true" or "false"',
    }),
  ),
});

export const HealingQuery = t.Object({
  service: t.Optional(serviceName("query.service")),
  limit: t.Optional(integer(LIMIT_FIELD, "Most records returned, newest first (default 100).", 50)),
});

export const EventsQuery = t.Object({
  since: t.Optional(integer(SINCE_FIELD, "Return events with a greater seq (default 0: from the oldest kept).", 120)),
  limit: t.Optional(integer(LIMIT_FIELD, "Most events returned, oldest first (default 1000).", 1000)),
});

export const StreamQuery = t.Object({
  logs: t.Optional(
    t.String({
      pattern: `^[A-Za-z0-9][A-Za-z0-9._~-]*(,[A-Za-z0-9][A-Za-z0-9._~-]*)*$`,
      maxLength: 4096,
      description: "Comma-separated services whose output lines to include as `log` events.",
      error: "query.logs: expected comma-separated service names",
    }),
  ),
  token: t.Optional(t.String({ maxLength: 1024, description: "The API token, for browsers that cannot send Authorization." })),
});
