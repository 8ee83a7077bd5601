/** SPEC §16 keys in the exports: alerts, incidents and the restart cap are the orchestrator's, so every file's header names them as not mapped, and never an alert URL. */
import { describe, expect, test } from "bun:test";
import { renderExport } from "../../src/export";
import { EXPORT_TARGETS } from "../../src/export";
import { makeConfig, makeService } from "./make-config";
import type { Config } from "../../src/contract/config";

const SECRET_URL = "https://hooks.slack.com/services/T0/B0/xoxb-secret-path";

describe("alerts, incidents and the restart cap in every engine's header", () => {
  const config: Config = {
    ...makeConfig([makeService("api", { port: 3000 })]),
    alerts: [{ url: SECRET_URL, format: "slack", events: ["quarantined", "incident"], minIntervalMs: 300_000 }],
    healing: { maxConcurrentRestarts: 4, incident: { windowMs: 30_000, services: 3 } },
  };
  for (const target of EXPORT_TARGETS) {
    test(`${target}: named as not mapped, with what to use instead; the URL appears in no file`, () => {
      const files = renderExport(target, config);
      const text = files.map((f) => f.content).join("\n");
      expect(text).not.toContain("xoxb-secret-path");
      expect(text).not.toContain("hooks.slack.com");
      const header = files[0]!.content;
      expect(header).toMatch(/# {3}- alerts \(1 endpoint: quarantined, incident\): \w+ sends none; /);
      expect(header).toContain("incidents (3 or more services failing within 30s are one)");
      expect(header).toContain("healing.maxConcurrentRestarts 4:");
    });
  }

  test("without alerts and with the cap off, neither line is written", () => {
    const plain = { ...makeConfig([makeService("api", { port: 3000 })]), alerts: [], healing: { maxConcurrentRestarts: null, incident: null } };
    const header = renderExport("compose", plain)[0]!.content;
    expect(header).not.toContain("alerts (");
    expect(header).not.toContain("maxConcurrentRestarts");
    expect(header).not.toContain("incidents (");
  });
});
