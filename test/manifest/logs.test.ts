/** `logs: { maxSize, keep, format }` at the top level and per service, as resolved and as checked. */
import { afterAll, describe, expect, test } from "bun:test";
import { load, removeTrees } from "./helpers";

afterAll(removeTrees);

const fleet = (...lines: string[]) => ["version: 1", "discovery: { roots: [] }", ...lines, ""].join("\n");

describe("logs", () => {
  test("defaults: 10MB (decimal), 5 kept, raw; the top level sets every service's, a service's own wins key by key", () => {
    const { config, lines } = load(
      fleet("logs: { maxSize: 1MiB, format: json }", "services:", "  a: { command: x }", "  b: { command: x, logs: { keep: 0 } }", "  c: { command: x, logs: { maxSize: 512KiB, format: raw, keep: 9 } }"),
    );
    expect(lines).toEqual([]);
    expect(config!.services.map((s) => s.logs)).toEqual([
      { maxBytes: 1_048_576, keep: 5, format: "json" },
      { maxBytes: 1_048_576, keep: 0, format: "json" },
      { maxBytes: 524_288, keep: 9, format: "raw" },
    ]);
    expect(load(fleet("services:", "  a: { command: x }")).config!.services[0].logs).toEqual({ maxBytes: 10_000_000, keep: 5, format: "raw" });
  });

  test("a size of 0 is an error where it is written, at the top level or in a service", () => {
    expect(load(fleet("logs: { maxSize: 0 }", "services:", "  a:", "    command: x", "    logs: { maxSize: 0KiB }")).lines).toEqual([
      "orchestrator.yaml:3:18 logs.maxSize: expected a size above 0 (a file rotated at every line would keep nothing); to keep no rotated files, set keep: 0",
      "orchestrator.yaml:7:22 services.a.logs.maxSize: expected a size above 0 (a file rotated at every line would keep nothing); to keep no rotated files, set keep: 0",
    ]);
  });

  test("wrong types and unknown formats are schema errors with positions", () => {
    expect(load(fleet("logs: { maxSize: huge, keep: -1, format: text }")).lines).toEqual([
      'orchestrator.yaml:3:18 logs.maxSize: expected a size (512KiB, 64MiB, 1GiB, 10MB or bytes), got "huge"',
      "orchestrator.yaml:3:30 logs.keep: expected an integer >= 0, got -1",
      'orchestrator.yaml:3:42 logs.format: expected "raw" or "json", got "text"',
    ]);
  });
});
