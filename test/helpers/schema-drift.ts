/**
 * Where a value and its schema disagree, as readable lines: TypeBox's own errors (wrong type,
 * bad literal), plus what TypeBox lets through: a key the value has and the schema does not
 * (Elysia would strip it from the response without a word), and a key the schema requires
 * that the value lacks. Walks objects, arrays, records and unions (the variant that fits).
 */
import { Kind, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

const MAX_TYPE_ERRORS = 5;

/** Every disagreement between `schema` and `value`; empty when they agree key for key. */
export function findDrift(schema: TSchema, value: unknown, path = "$"): string[] {
  const typeErrors = [...Value.Errors(schema, value)].slice(0, MAX_TYPE_ERRORS).map((e) => `${path}${formatPointer(e.path)}: ${e.message}`);
  return [...typeErrors, ...findKeyDrift(schema, value, path)];
}

/** Keys on one side only, recursively (type mismatches are findDrift's). */
export function findKeyDrift(schema: TSchema, value: unknown, path = "$"): string[] {
  switch (schema[Kind]) {
    case "Object":
      return isRecord(value) ? objectDrift(schema, value, path) : [];
    case "Record": {
      if (!isRecord(value)) return [];
      const [inner] = Object.values(schema.patternProperties as Record<string, TSchema>);
      return Object.entries(value).flatMap(([key, item]) => findKeyDrift(inner!, item, `${path}.${key}`));
    }
    case "Array":
      return Array.isArray(value) ? value.flatMap((item, i) => findKeyDrift(schema.items as TSchema, item, `${path}[${i}]`)) : [];
    case "Union":
      return unionDrift(schema.anyOf as TSchema[], value, path);
    case "Intersect":
    case "Ref":
    case "This":
      throw new Error(`findKeyDrift: expected object, array, record, union or scalar schemas, got a ${String(schema[Kind])} at ${path} (teach it this kind)`);
    default:
      return [];
  }
}

function objectDrift(schema: TSchema, value: Record<string, unknown>, path: string): string[] {
  const properties = schema.properties as Record<string, TSchema>;
  const required = new Set<string>(schema.required ?? []);
  const drift: string[] = [];
  // an undefined value is absent on the wire (JSON drops it)
  const present = Object.keys(value).filter((key) => value[key] !== undefined);
  for (const key of present) {
    if (!(key in properties)) drift.push(`${path}.${key}: the value has it, the schema does not`);
    else drift.push(...findKeyDrift(properties[key]!, value[key], `${path}.${key}`));
  }
  for (const key of required) if (value[key] === undefined) drift.push(`${path}.${key}: the schema requires it, the value does not have it`);
  return drift;
}

// The variant the value is: one that TypeBox accepts, with the fewest key differences.
function unionDrift(variants: TSchema[], value: unknown, path: string): string[] {
  const fitting = variants.filter((variant) => Value.Check(variant, value));
  let best: string[] | null = null;
  for (const variant of fitting.length > 0 ? fitting : variants) {
    const drift = findKeyDrift(variant, value, path);
    if (best === null || drift.length < best.length) best = drift;
    if (drift.length === 0) break;
  }
  return best ?? [];
}

// "/0/health/status" → "[0].health.status"
function formatPointer(pointer: string): string {
  return pointer
    .split("/")
    .filter(Boolean)
    .map((part) => (/^[0-9]+$/.test(part) ? `[${part}]` : `.${part}`))
    .join("");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
