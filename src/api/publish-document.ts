/**
 * The OpenAPI document as /docs/json serves it: what @elysiajs/openapi generates from the
 * routes, finished where the generator copies Elysia's own vocabulary into it.
 * - The request schemas carry `error`, the message Elysia answers a 400 with: no OpenAPI keyword.
 * - Elysia writes `additionalProperties: false` into the shared response schemas when it first
 *   compiles their validators, so the generated document would depend on which routes had
 *   answered before it; the contract (src/contract) declares none.
 * - A query integer comes out as Elysia's coercion union (any string of "integer" format, with
 *   default 0, or the integer) instead of the integer it must be, and a parameter's description
 *   stays inside its schema, where documentation tools do not look.
 * - Every operation can be refused 421 by the Host guard, which runs before any route.
 */

type Json = Record<string, unknown>;

/** The response every operation may get from the Host guard (./host-guard.ts), in `components.responses`. */
export const WRONG_HOST_RESPONSE = "WrongHost";

/** A plain-JSON copy of `generated`, made precise; `generated` (the plugin's cached document) is left as it is. */
export function publishDocument(generated: object): Json {
  const doc = JSON.parse(JSON.stringify(generated)) as Json;
  for (const pathItem of Object.values(asRecord(doc.paths))) {
    for (const operation of Object.values(asRecord(pathItem))) {
      if (!isRecord(operation)) continue;
      if (Array.isArray(operation.parameters)) operation.parameters = operation.parameters.map(publishParameter);
      forEachMediaSchema(operation.requestBody, dropElysiaKeywords);
      for (const response of Object.values(asRecord(operation.responses))) forEachMediaSchema(response, dropElysiaKeywords);
      operation.responses = { ...asRecord(operation.responses), "421": { $ref: `#/components/responses/${WRONG_HOST_RESPONSE}` } };
    }
  }
  const components = asRecord(doc.components);
  for (const schema of Object.values(asRecord(components.schemas))) dropElysiaKeywords(schema);
  for (const response of Object.values(asRecord(components.responses))) forEachMediaSchema(response, dropElysiaKeywords);
  return doc;
}

function publishParameter(parameter: unknown): unknown {
  if (!isRecord(parameter) || !isRecord(parameter.schema)) return parameter;
  const schema = declaredInteger(parameter.schema) ?? parameter.schema;
  dropElysiaKeywords(schema);
  const description = parameter.description ?? schema.description;
  return { ...parameter, ...(typeof description === "string" ? { description } : {}), schema };
}

// Elysia validates an integer query field as anyOf [string of format "integer" (default 0), the
// declared integer]: the declared integer, with its range, is what the caller must send.
function declaredInteger(schema: Json): Json | undefined {
  const members = Array.isArray(schema.anyOf) ? schema.anyOf.filter(isRecord) : [];
  if (members.length !== 2 || !members.some((m) => m.type === "string" && m.format === "integer")) return undefined;
  return members.find((m) => m.type === "integer");
}

/** Remove what Elysia wrote into `schema` and its subschemas: `error` messages, `additionalProperties: false`. */
function dropElysiaKeywords(schema: unknown): void {
  if (Array.isArray(schema)) return schema.forEach(dropElysiaKeywords);
  if (!isRecord(schema)) return;
  if (typeof schema.error === "string") delete schema.error;
  if (schema.additionalProperties === false) delete schema.additionalProperties;
  for (const key of SUBSCHEMA_MAPS) for (const sub of Object.values(asRecord(schema[key]))) dropElysiaKeywords(sub);
  for (const key of SUBSCHEMAS) dropElysiaKeywords(schema[key]);
}

/** JSON Schema keywords whose value is a schema or a list of schemas. */
const SUBSCHEMAS = ["items", "prefixItems", "additionalItems", "additionalProperties", "unevaluatedItems", "unevaluatedProperties", "contains", "propertyNames", "not", "if", "then", "else", "anyOf", "allOf", "oneOf"];
/** JSON Schema keywords whose value maps names to schemas. */
const SUBSCHEMA_MAPS = ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"];

function forEachMediaSchema(holder: unknown, visit: (schema: unknown) => void): void {
  for (const media of Object.values(asRecord(asRecord(holder).content))) visit(asRecord(media).schema);
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Json {
  return isRecord(value) ? value : {};
}
