/**
 * Integer query fields, checked again in the handlers. The schema (request-schemas.ts) is
 * the first line; this is the second, for the day a validator is skipped (a minified build
 * once let `limit=-1` through as the string "-1"). Both say the same thing in the same words.
 */
import { ApiError, describeGot } from "./errors";

/** An integer query field: where it is (`query.limit`) and its inclusive range. */
export interface IntegerField {
  where: string;
  minimum: number;
  maximum: number;
}

/** The schema's `error` for the field, and the start of every 400 about it. */
export function describeIntegerField(field: IntegerField): string {
  return `${field.where}: expected an integer from ${field.minimum} to ${field.maximum}`;
}

/**
 * The value as the schema decodes it (a number, or a string Elysia reads as an integer),
 * undefined when absent; anything else is the schema's 400 VALIDATION error, word for word.
 */
export function requireInteger(value: unknown, field: IntegerField): number | undefined {
  if (value === undefined) return undefined;
  // Elysia's "integer" string format: non-empty and Number.isInteger(+value); the number must then be in range
  const number = typeof value === "number" ? value : typeof value === "string" && value !== "" ? Number(value) : NaN;
  if (!Number.isInteger(number)) throw refuse(field, value);
  if (number < field.minimum || number > field.maximum) throw refuse(field, number);
  return number;
}

// the schema shows what it got as JSON cut at 80 characters: the raw string when it is no integer, else the number
function refuse(field: IntegerField, got: unknown): ApiError {
  return new ApiError("VALIDATION", 400, `${describeIntegerField(field)}, got ${describeGot(got)}`);
}
