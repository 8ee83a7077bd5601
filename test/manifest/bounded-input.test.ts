/**
 * Item 8 of issue 12 at the unit level: reads stop at the limit, interval and timeout floors
 * in every place a health block is written, and the steps that were quadratic (duplicate
 * keys, placing issues, default phases along a chain) give the same answers as before.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readBounded } from "../../src/manifest/read-bounded";
import { load, makeTree, removeTrees, serviceA } from "./helpers";

afterAll(removeTrees);

describe("readBounded", () => {
  test("a file that reports no size (/dev/zero never ends) is cut at limit + 1 bytes", () => {
    expect(readBounded("/dev/zero", 4096)).toEqual({ ok: false, tooLarge: true, size: 4097, exact: false });
  });

  test("a file larger than the limit is refused from its size, a file at the limit is read whole", () => {
    const dir = makeTree();
    writeFileSync(join(dir, "big"), "x".repeat(1001));
    writeFileSync(join(dir, "fits"), "y".repeat(1000));
    expect(readBounded(join(dir, "big"), 1000)).toEqual({ ok: false, tooLarge: true, size: 1001, exact: true });
    expect(readBounded(join(dir, "fits"), 1000)).toEqual({ ok: true, text: "y".repeat(1000) });
    expect(readBounded(join(dir, "missing"), 1000)).toMatchObject({ ok: false, tooLarge: false, code: "ENOENT", message: "no such file" });
  });
});

describe("probe interval and timeout floors", () => {
  test.each([
    ["10ms", "expected at least 100ms, got 10ms"],
    ["99", "expected at least 100ms, got 99ms"],
    ["0.05s", "expected at least 100ms, got 50ms"],
  ])("interval %s is an error at the value", (interval, message) => {
    expect(load(serviceA(`health: { http: /h, interval: ${interval} }`)).lines).toEqual([`orchestrator.yaml:5:35 services.a.health.interval: ${message}`]);
  });

  test("100ms and more are fine; an interval from a variable is checked too", () => {
    expect(load(serviceA("health: { http: /h, interval: 100ms, timeout: 1ms }")).lines).toEqual([]);
    expect(load(serviceA("health: { http: /h, interval: '${IV}' }"), { env: { IV: "20" } }).lines).toEqual([
      "orchestrator.yaml:5:35 services.a.health.interval: expected at least 100ms, got 20ms",
    ]);
  });

  test("a zero timeout could never pass: an error", () => {
    expect(load("version: 1\ndefaults:\n  health: { timeout: 0 }\n").lines).toEqual(["orchestrator.yaml:3:22 defaults.health.timeout: expected at least 1ms, got 0ms"]);
  });
});

describe("what used to be quadratic gives the same answers", () => {
  test("duplicate keys are found in block and flow mappings, at the repeated key", () => {
    expect(load("version: 1\nname: a\nservices:\n  a: { command: x, command: y }\n  b: { command: x }\n  b: { command: y }\n").lines).toEqual([
      "orchestrator.yaml:4:20 (syntax): Map keys must be unique",
      "orchestrator.yaml:6:3 (syntax): Map keys must be unique",
    ]);
  });

  test("a key 1 and a key '1' are different keys, as for the yaml library", () => {
    expect(load("version: 1\nx-a: { 1: a, '1': b }\n").lines).toEqual([]);
  });

  test("a chain of services without phases takes its latest dependency's phase, whatever the order of names", () => {
    const n = 200;
    const name = (i: number) => `s${String(i).padStart(3, "0")}`;
    const services = Array.from({ length: n }, (_, i) => `  ${name(i)}: { command: x${i < n - 1 ? `, dependsOn: [${name(i + 1)}]` : ", phase: b2b"} }`);
    const { config, issues } = load(["version: 1", "services:", ...services, ""].join("\n"));
    expect(issues).toEqual([]);
    expect(new Set(config!.services.map((s) => s.phaseName))).toEqual(new Set(["b2b"]));
  });

  test("services on a cycle share the latest phase of what the cycle depends on", () => {
    const { lines, issues } = load(
      "version: 1\nservices:\n  a: { command: x, dependsOn: [b] }\n  b: { command: x, dependsOn: [a, c] }\n  c: { command: x, phase: advanced }\n  d: { command: x, phase: core, dependsOn: [a] }\n",
    );
    expect(lines).toEqual([
      "orchestrator.yaml:3:31 services.a.dependsOn: dependency cycle: a -> b -> a",
      'orchestrator.yaml:6:44 services.d.dependsOn: "d" (phase core) depends on "a" in a later phase (advanced); move one of them',
    ]);
    expect(issues).toHaveLength(2);
  });

  test("an unknown dependency is still offered a close name", () => {
    expect(load("version: 1\nservices:\n  vault: { command: x }\n  api: { command: x, dependsOn: [vualt] }\n").lines).toEqual([
      'orchestrator.yaml:4:34 services.api.dependsOn[0]: unknown dependency "vualt" (did you mean "vault"?)',
    ]);
  });
});
