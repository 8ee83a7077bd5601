import { describe, expect, test } from "bun:test";
import { buildGraph, dependenciesOf, dependentsOf } from "../../src/graph/index.ts";
import { makeService, makeServices } from "./make-service.ts";

const diamond = buildGraph([
  makeService("db", { phase: 0 }),
  ...makeServices({ left: ["db"], right: ["db"], top: ["left", "right"], lone: [] }),
]);

describe("dependentsOf", () => {
  test("follows dependents transitively, in (phase, name) order", () => {
    expect(dependentsOf(diamond, "db")).toEqual(["left", "right", "top"]);
    expect(dependentsOf(diamond, "left")).toEqual(["top"]);
  });

  test("is empty for a leaf and for an unknown name", () => {
    expect(dependentsOf(diamond, "top")).toEqual([]);
    expect(dependentsOf(diamond, "ghost")).toEqual([]);
  });

  test("excludes the service itself even on a cycle", () => {
    const graph = buildGraph(makeServices({ a: ["b"], b: ["a"], c: ["a"] }));
    expect(dependentsOf(graph, "a")).toEqual(["b", "c"]);
  });
});

describe("dependenciesOf", () => {
  test("follows dependencies transitively, in (phase, name) order", () => {
    expect(dependenciesOf(diamond, "top")).toEqual(["db", "left", "right"]);
    expect(dependenciesOf(diamond, "lone")).toEqual([]);
  });

  test("is empty for an unknown name", () => {
    expect(dependenciesOf(diamond, "ghost")).toEqual([]);
  });
});
