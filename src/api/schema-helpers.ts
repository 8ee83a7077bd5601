/** Small builders the schema definitions share. */
import { t, type TSchema } from "elysia";
import type { SchemaOptions, TLiteral, TNull, TUnion } from "@sinclair/typebox";

/** A union of string literals from a list, typed as the union of its members. */
export function literals<const T extends readonly string[]>(values: T, options?: SchemaOptions): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  return t.Union(
    values.map((value) => t.Literal(value)),
    options,
  ) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;
}

/** `schema` or null. */
export function Nullable<T extends TSchema>(schema: T): TUnion<[T, TNull]> {
  return t.Union([schema, t.Null()]);
}
