/**
 * `?fields=` on the service reads: a sparse field set of the summary, for clients that show a
 * few columns of a large fleet (`orchestrator status` asks for the ten its table shows: 200
 * services answer in 54 KB instead of 118 KB). The names are the summary's top-level keys;
 * `name` is always included, so every object still says which service it is. Checked here in
 * the handler as well as by the query schema (FieldsQuery, request-schemas.ts): a minified
 * build once let a value through that the schema refuses (integer-query.ts), and the answer
 * must not depend on which of the two ran.
 */
import { ServiceSummarySchema, type ServiceSummary } from "../contract/service-view";
import { ApiError, describeGot } from "./errors";

type SummaryField = keyof ServiceSummary;

/** Every field a summary has, in the order it is serialized. */
const SUMMARY_FIELDS = Object.keys(ServiceSummarySchema.properties) as SummaryField[];
const KNOWN: ReadonlySet<string> = new Set(SUMMARY_FIELDS);

/** The schema's `error` for the field, and the start of every 400 about it. */
export const FIELDS_EXPECTED = `query.fields: expected comma-separated fields of a service summary (${SUMMARY_FIELDS.join(", ")})`;

/** The fields asked for and `name`, each once, in the summary's order; undefined when absent (the whole summary). */
export function requireFields(value: unknown): SummaryField[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw refuse(value);
  const asked = new Set<string>(["name"]);
  for (const field of value.split(",")) {
    if (!KNOWN.has(field)) throw refuse(field);
    asked.add(field);
  }
  return SUMMARY_FIELDS.filter((field) => asked.has(field));
}

/** The summaries cut to `fields` (all of each when undefined). */
export function pickFields(summaries: ServiceSummary[], fields: SummaryField[] | undefined): Partial<ServiceSummary>[] {
  if (!fields) return summaries;
  return summaries.map((s) => {
    const out: Partial<Record<SummaryField, unknown>> = {};
    for (const field of fields) out[field] = s[field];
    return out as Partial<ServiceSummary>;
  });
}

function refuse(got: unknown): ApiError {
  return new ApiError("VALIDATION", 400, `${FIELDS_EXPECTED}, got ${describeGot(got)}`);
}
