/**
 * Checks a plain value against a TypeBox schema and reports every problem with its path,
 * saying what was expected and what was found. Interpolated strings are coerced to the
 * number or boolean the schema wants (`port: ${PORT}`); nothing else is coerced or clamped.
 */
import { Kind, type TSchema } from "@sinclair/typebox";
import { parseDuration } from "../lib/duration";
import { describeValue, type PathSegment } from "./issues";
import { MINIMUM_MS } from "./schema";
import { didYouMean } from "./suggest";

export interface SchemaProblem {
  path: PathSegment[];
  message: string;
  /** Unknown keys point at the key, everything else at the value. */
  part: "key" | "value";
}

export interface CheckContext {
  problems: SchemaProblem[];
  /** Dotted paths of values that came from `${VAR}`: these may be coerced from strings. */
  interpolated: Set<string>;
  /** A reference standing for a whole number not known yet (`tcp: ${services.db.port}`): accepted where a number is expected. */
  isReference?: (value: unknown) => boolean;
}

/** Returns the (possibly coerced) value; problems are pushed to `ctx`. */
export function checkSchema(schema: TSchema, value: unknown, path: PathSegment[], ctx: CheckContext): unknown {
  switch (schema[Kind]) {
    case "Union":
      return checkUnion(schema, value, path, ctx);
    case "Literal":
      if (value !== schema.const) fail(ctx, path, `expected ${describeSchema(schema)}, got ${describeValue(value)}`);
      return value;
    case "String":
      return checkString(schema, value, path, ctx);
    case "Number":
    case "Integer":
      if (ctx.isReference?.(value)) return value;
      return checkNumber(schema, coerce(value, path, ctx, "number"), path, ctx);
    case "Boolean": {
      const v = coerce(value, path, ctx, "boolean");
      if (typeof v !== "boolean") fail(ctx, path, `expected true or false, got ${describeValue(value)}`);
      return v;
    }
    case "Array":
      return checkArray(schema, value, path, ctx);
    case "Object":
      return checkObject(schema, value, path, ctx);
    case "Record":
      return checkRecord(schema, value, path, ctx);
    default:
      return value;
  }
}

function checkUnion(schema: TSchema, value: unknown, path: PathSegment[], ctx: CheckContext): unknown {
  const branches = schema.anyOf as TSchema[];
  if (schema.title === "duration") {
    const trial: CheckContext = { ...ctx, problems: [] };
    for (const branch of branches) {
      trial.problems = [];
      const result = checkSchema(branch, coerce(value, path, ctx, "number"), path, trial);
      if (trial.problems.length === 0) return checkFloor(schema, result, path, ctx);
    }
    fail(ctx, path, `expected ${describeSchema(schema)}, got ${describeValue(value)}`);
    return value;
  }
  for (const branch of branches) {
    const trial: CheckContext = { ...ctx, problems: [] };
    const result = checkSchema(branch, value, path, trial);
    if (trial.problems.length === 0) return result;
  }
  // No branch fits: explain through the branch of the same shape, when there is exactly one
  // (not for a size, whose string branch is only a pattern: the whole of it says more).
  const sameShape = branches.filter((b) => shapeOf(b) === shapeOfValue(value));
  if (sameShape.length === 1 && sameShape[0][Kind] !== "Literal" && schema.title !== "size") return checkSchema(sameShape[0], value, path, ctx);
  fail(ctx, path, `expected ${describeSchema(schema)}, got ${describeValue(value)}`);
  return value;
}

function checkFloor(schema: TSchema, value: unknown, path: PathSegment[], ctx: CheckContext): unknown {
  const floor = (schema as { [MINIMUM_MS]?: number })[MINIMUM_MS];
  const ms = parseDuration(value);
  if (floor !== undefined && ms !== undefined && ms < floor) fail(ctx, path, `expected at least ${floor}ms, got ${ms}ms`);
  return value;
}

function checkString(schema: TSchema, value: unknown, path: PathSegment[], ctx: CheckContext): unknown {
  if (typeof value !== "string") return fail(ctx, path, `expected ${describeSchema(schema)}, got ${describeValue(value)}`), value;
  if (schema.minLength && value.length < schema.minLength) fail(ctx, path, "expected a non-empty string");
  else if (schema.pattern && !new RegExp(schema.pattern).test(value))
    fail(ctx, path, `expected ${describeSchema(schema)}, got ${describeValue(value)}`);
  return value;
}

function checkNumber(schema: TSchema, value: unknown, path: PathSegment[], ctx: CheckContext): unknown {
  const integer = schema[Kind] === "Integer";
  if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    return fail(ctx, path, `expected ${describeSchema(schema)}, got ${describeValue(value)}`), value;
  if ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum))
    fail(ctx, path, `expected ${describeSchema(schema)}, got ${value}`);
  return value;
}

function checkArray(schema: TSchema, value: unknown, path: PathSegment[], ctx: CheckContext): unknown {
  if (!Array.isArray(value)) return fail(ctx, path, `expected ${describeSchema(schema)}, got ${describeValue(value)}`), value;
  if (schema.minItems && value.length < schema.minItems) fail(ctx, path, `expected at least ${schema.minItems} item(s), got an empty list`);
  return value.flatMap((item, i) => keepIfValid(ctx, item, () => checkSchema(schema.items as TSchema, item, [...path, i], ctx)));
}

function checkObject(schema: TSchema, value: unknown, path: PathSegment[], ctx: CheckContext): unknown {
  if (!isPlainObject(value)) return fail(ctx, path, `expected a mapping, got ${describeValue(value)}`), value;
  const props = schema.properties as Record<string, TSchema>;
  const out: Record<string, unknown> = {};
  for (const key of (schema.required as string[] | undefined) ?? [])
    if (!Object.hasOwn(value, key)) fail(ctx, path, `missing required key "${key}"`);
  for (const [key, v] of Object.entries(value)) {
    if (!Object.hasOwn(props, key)) {
      if (isExtensionKey(schema, key)) continue;
      if (schema.additionalProperties === false) {
        ctx.problems.push({ path: [...path, key], part: "key", message: `unknown key "${key}"${didYouMean(key, Object.keys(props))}` });
      }
      continue;
    }
    for (const kept of keepIfValid(ctx, v, () => checkSchema(props[key], v, [...path, key], ctx))) setOwn(out, key, kept);
  }
  return out;
}

// `x-` keys hold YAML anchors (as in Compose) where the schema allows them; they are ignored.
function isExtensionKey(schema: TSchema, key: string): boolean {
  const patterns = schema.patternProperties as Record<string, unknown> | undefined;
  return patterns !== undefined && Object.keys(patterns).some((p) => new RegExp(p).test(key));
}

function checkRecord(schema: TSchema, value: unknown, path: PathSegment[], ctx: CheckContext): unknown {
  if (!isPlainObject(value)) return fail(ctx, path, `expected a mapping, got ${describeValue(value)}`), value;
  const [keyPattern, valueSchema] = Object.entries(schema.patternProperties as Record<string, TSchema>)[0];
  const keyRe = new RegExp(keyPattern);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!keyRe.test(key)) {
      ctx.problems.push({ path: [...path, key], part: "key", message: `invalid name "${key}": use letters, digits, ".", "_" and "-", starting with a letter or digit` });
      continue;
    }
    for (const kept of keepIfValid(ctx, v, () => checkSchema(valueSchema, v, [...path, key], ctx))) setOwn(out, key, kept);
  }
  return out;
}

function coerce(value: unknown, path: PathSegment[], ctx: CheckContext, to: "number" | "boolean"): unknown {
  if (typeof value !== "string" || !ctx.interpolated.has(path.join("."))) return value;
  if (to === "boolean") return value === "true" ? true : value === "false" ? false : value;
  return /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
}

/** What a schema accepts, in words. */
export function describeSchema(schema: TSchema): string {
  if (schema.title === "duration") return "a duration (250ms, 5s, 2m or milliseconds)";
  if (schema.title === "size") return "a size (512KiB, 64MiB, 1GiB, 10MB or bytes)";
  switch (schema[Kind]) {
    case "Union": {
      const parts = (schema.anyOf as TSchema[]).map(describeSchema);
      return parts.length <= 2 ? parts.join(" or ") : `one of ${parts.join(", ")}`;
    }
    case "Literal":
      return JSON.stringify(schema.const);
    case "String":
      return schema.pattern ? "a name" : "a string";
    case "Integer":
    case "Number": {
      const noun = schema[Kind] === "Integer" ? "an integer" : "a number";
      if (schema.minimum !== undefined && schema.maximum !== undefined) return `${noun} from ${schema.minimum} to ${schema.maximum}`;
      if (schema.minimum !== undefined) return `${noun} >= ${schema.minimum}`;
      return noun;
    }
    case "Boolean":
      return "true or false";
    case "Array":
      return "a list";
    default:
      return "a mapping";
  }
}

function shapeOf(schema: TSchema): string {
  const kind = schema[Kind];
  if (kind === "Literal") return typeof schema.const;
  if (kind === "Integer") return "number";
  if (kind === "Record" || kind === "Object") return "object";
  return String(kind).toLowerCase();
}

function shapeOfValue(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value;
}

// A value that failed is reported and then dropped, so later stages see only valid input
// (and fall back to defaults) instead of crashing on it; containers keep their valid parts.
// A container of the right shape comes back as a filtered copy; anything returned as is
// (a mapping where a string was expected) failed as a whole and is dropped.
function keepIfValid(ctx: CheckContext, input: unknown, run: () => unknown): unknown[] {
  const before = ctx.problems.length;
  const value = run();
  if (ctx.problems.length === before) return [value];
  return typeof value === "object" && value !== null && value !== input ? [value] : [];
}

// A key such as `__proto__` must become an own property, not change the object's prototype.
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(ctx: CheckContext, path: PathSegment[], message: string): void {
  ctx.problems.push({ path, message, part: "value" });
}
