/** findDrift, the agreement tests' eye: it must see a key on either side only, at any depth. */
import { describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { findDrift } from "./schema-drift";

const Health = Type.Object({ status: Type.String(), error: Type.Optional(Type.String()) });
const Summary = Type.Object({
  name: Type.String(),
  pid: Type.Union([Type.Integer(), Type.Null()]),
  health: Health,
  history: Type.Array(Health),
  env: Type.Record(Type.String(), Type.Object({ value: Type.String() })),
  check: Type.Union([Type.Object({ kind: Type.Literal("http"), path: Type.String() }), Type.Object({ kind: Type.Literal("tcp"), port: Type.Integer() }), Type.Null()]),
});
const good = { name: "api", pid: 1, health: { status: "ok" }, history: [{ status: "ok", error: "x" }], env: { A: { value: "1" } }, check: { kind: "tcp", port: 1 } };

describe("findDrift", () => {
  test("nothing to say when the value has exactly the schema's keys (optional ones may be absent)", () => {
    expect(findDrift(Summary, good)).toEqual([]);
    expect(findDrift(Summary, { ...good, pid: null, check: null })).toEqual([]);
    expect(findDrift(Summary, { ...good, health: { status: "ok", error: undefined } })).toEqual([]);
  });

  test("a key in the value only, at the top, inside an object, an array item, a record value or a union variant", () => {
    expect(findDrift(Summary, { ...good, zone: "eu" })).toEqual(["$.zone: the value has it, the schema does not"]);
    expect(findDrift(Summary, { ...good, health: { status: "ok", since: 1 } })).toEqual(["$.health.since: the value has it, the schema does not"]);
    expect(findDrift(Summary, { ...good, history: [{ status: "ok" }, { status: "ok", code: 3 }] })).toEqual(["$.history[1].code: the value has it, the schema does not"]);
    expect(findDrift(Summary, { ...good, env: { A: { value: "1", secret: true } } })).toEqual(["$.env.A.secret: the value has it, the schema does not"]);
    expect(findDrift(Summary, { ...good, check: { kind: "tcp", port: 1, host: "h" } })).toEqual(["$.check.host: the value has it, the schema does not"]);
  });

  test("a key the schema requires and the value lacks (TypeBox says so too)", () => {
    const { pid: _pid, ...noPid } = good;
    expect(findDrift(Summary, noPid)).toContain("$.pid: the schema requires it, the value does not have it");
    expect(findDrift(Summary, { ...good, history: [{}] })).toContain("$.history[0].status: the schema requires it, the value does not have it");
  });

  test("a wrong type is reported with its path", () => {
    expect(findDrift(Summary, { ...good, pid: "1" }).some((line) => line.startsWith("$.pid: "))).toBe(true);
    expect(findDrift(Summary, { ...good, history: [{ status: 1 }] })).toContain("$.history[0].status: Expected string");
  });
});
