/**
 * Issue 13, item 6: the OpenAPI document passes a strict linter. GET /docs/json, built in
 * process (createApi over a FakePort) and served by the compiled binary, has no problem under
 * redocly.yaml (Redocly's recommended-strict and more) and is valid against the OpenAPI JSON
 * Schema (@seriousme/openapi-schema-validator).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { createFakeApp } from "../helpers/fake-api";
import { fixtureCommand, freePort, waitFor } from "../helpers/processes";
import { lintOpenApi, REDOCLY_CONFIG, validateOpenApi } from "./lint-openapi";

type Doc = Record<string, any>;

async function documentInProcess(): Promise<Doc> {
  const res = await createFakeApp().request("/docs/json");
  expect(res.status).toBe(200);
  return (await res.json()) as Doc;
}

/** `dist/orchestrator up` on a one-service fleet; its document over a real socket. */
async function documentFromBinary(run: (dir: string) => BinaryRun): Promise<Doc> {
  ensureBinary();
  const port = freePort();
  const dir = writeFleetDir({
    version: 1,
    name: "openapi-lint",
    api: { host: "127.0.0.1", port },
    discovery: { roots: [] },
    state: { dir: "state" },
    services: { web: { command: fixtureCommand("healthy.ts"), port: freePort(), health: false } },
  });
  run(dir);
  const url = `http://127.0.0.1:${port}/docs/json`;
  let res: Response | null = null;
  await waitFor(async () => (res = await fetch(url).catch(() => null))?.ok === true, 20_000, "the binary to serve /docs/json");
  return (await res!.json()) as Doc;
}

let binary: BinaryRun | undefined;
const docs: Record<"source" | "binary", Doc> = { source: {}, binary: {} };

beforeAll(async () => {
  docs.source = await documentInProcess();
  docs.binary = await documentFromBinary((dir) => (binary = new BinaryRun(dir, ["up", "--log-format", "json"])));
}, 30_000);

afterAll(async () => {
  if (!binary) return;
  binary.signal("SIGTERM");
  await Promise.race([binary.exited, Bun.sleep(10_000)]);
  await binary.cleanup();
});

describe.each(["source", "binary"] as const)("the OpenAPI document (%s)", (from) => {
  test("has no problem under redocly.yaml (recommended-strict and more)", async () => {
    const report = await lintOpenApi(docs[from]);
    expect(report.lines).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  }, 30_000);

  test("is valid against the OpenAPI 3.1 JSON Schema", async () => {
    expect(await validateOpenApi(docs[from])).toEqual({ version: "3.1", errors: [] });
  });
});

test("the compiled binary serves the document the source builds", () => {
  expect(docs.binary).toEqual(docs.source);
});

describe("the linter as configured", () => {
  test("catches what the document once had: Elysia's `error` keyword, no servers, no 4XX, no success response", async () => {
    const doc = structuredClone(docs.source);
    doc.paths["/orchestrator/events"].get.parameters[0].schema.error = "query.since: expected an integer";
    delete doc.servers;
    delete doc.paths["/metrics"].get.responses["421"];
    delete doc.paths["/orchestrator/stream"].get.responses["101"];
    delete doc.paths["/orchestrator/stream"].get.operationId;
    delete doc.info.license;
    const report = await lintOpenApi(doc);
    expect(report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}`).sort()).toEqual([
      "info-license #/info",
      "no-empty-servers #/openapi",
      "operation-4xx-response #/paths/~1metrics/get/responses",
      "operation-operationId #/paths/~1orchestrator~1stream/get/operationId",
      "rule/operation-success-response #/paths/~1orchestrator~1stream/get/responses",
      "struct #/paths/~1orchestrator~1events/get/parameters/0/schema/error",
    ]);
    expect(report.problems.every((p) => p.severity === "error")).toBe(true);
  }, 30_000);

  test("builds on recommended-strict and turns off only the rule its own replaces", () => {
    const config = parse(readFileSync(REDOCLY_CONFIG, "utf8")) as { extends: string[]; rules: Record<string, unknown> };
    expect(config.extends).toEqual(["recommended-strict"]);
    const off = Object.entries(config.rules).filter(([, value]) => value === "off" || (value as { severity?: string })?.severity === "off");
    expect(off.map(([rule]) => rule)).toEqual(["operation-2xx-response"]);
    expect(config.rules["rule/operation-success-response"]).toMatchObject({ severity: "error" });
  });
});
