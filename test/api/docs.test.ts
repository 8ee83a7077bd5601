import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createApi } from "../../src/api";
import { FakePort } from "../helpers/fake-port";

// The docs need no fleet: the port is never called for them.
const api = createApi(new FakePort(), { cors: [], host: "127.0.0.1", port: 9000 });
const get = (path: string) => api.handle(new Request(`http://127.0.0.1:9000${path}`));

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: unknown;
}

interface Operation {
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}

interface OpenApiDoc {
  info?: { license?: unknown };
  servers?: unknown;
  paths: Record<string, Record<string, Operation>>;
  components?: { responses?: Record<string, { content?: Record<string, { example?: unknown }> }> };
}

describe("the OpenAPI document", async () => {
  const doc = (await (await get("/docs/json")).json()) as OpenApiDoc;
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));

  test("lists every API route (the stream as the GET that upgrades), and nothing else", () => {
    const routes = api.routes
      .filter((r) => !r.path.startsWith("/docs"))
      .map((r) => `${r.method === "WS" ? "GET" : r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(documented.sort()).toEqual(routes.sort());
    expect(documented).toContain("GET /orchestrator/stream");
    expect(documented.length).toBe(18); // + GET /orchestrator/services/{name}/why (issue 17), GET /orchestrator/snapshot (issue 19)
  });

  test("every operation has a summary, a description and a schema for its success response", () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method} ${path}`;
        expect({ where, summary: typeof op.summary }).toEqual({ where, summary: "string" });
        expect({ where, description: (op.description ?? "").length > 20 }).toEqual({ where, description: true });
        const ok = Object.entries(op.responses ?? {}).find(([code]) => /^(200|202|101)$/.test(code));
        expect({ where, schema: Boolean(ok && Object.values(ok[1].content ?? {})[0]?.schema) }).toEqual({ where, schema: true });
      }
    }
  });

  test("response schemas carry examples", () => {
    const text = JSON.stringify(doc.paths["/orchestrator/services"]);
    expect(text).toContain('"examples"');
    expect(JSON.stringify(doc.paths["/orchestrator/restart/{name}"])).toContain('"accepted":true');
  });

  test("mutating routes declare the bearer scheme", () => {
    expect(JSON.stringify(doc)).toContain('"bearer"');
    expect(doc.paths["/orchestrator/stop/{name}"]!.post).toMatchObject({ security: [{ bearer: [] }] });
  });

  test("parameter schemas carry no Elysia-only `error` keyword, yet a 400 still says what the field expects", async () => { // 15 with reload ?wait (SPEC §15), 17 with ?fields (issue 19)
    const schemas = operations(doc).flatMap(({ op }) => (op.parameters ?? []).map((p) => p.schema));
    expect(schemas.length).toBe(17);
    expect(JSON.stringify(schemas)).not.toContain('"error"');
    // the messages stay where Elysia reads them: only the published document goes without
    const res = await get("/orchestrator/events?limit=-1");
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 400,
      body: { error: "VALIDATION", message: "query.limit: expected an integer from 1 to 10000, got -1" },
    });
    expect(((await (await get("/orchestrator/dependencies?format=svg")).json()) as { message: string }).message).toBe('query.format: expected "json", "mermaid" or "dot", got "svg"');
  });

  test("a query integer is published as the integer it must be, each parameter with its description", () => {
    const logs = doc.paths["/orchestrator/services/{name}/logs"]!.get!.parameters!;
    expect(logs.find((p) => p.name === "lines")).toEqual({
      name: "lines",
      in: "query",
      required: false,
      description: "How many of the newest lines (default 100).",
      schema: { type: "integer", minimum: 1, maximum: 1000, description: "How many of the newest lines (default 100).", examples: [100] },
    });
    const format = doc.paths["/orchestrator/dependencies"]!.get!.parameters![0]!;
    expect(format).toMatchObject({ name: "format", description: "json (default), or mermaid / dot text.", schema: { type: "string", enum: ["json", "mermaid", "dot"], default: "json" } });
    for (const { where, op } of operations(doc)) for (const p of op.parameters ?? []) expect({ where, name: p.name, described: typeof p.description }).toEqual({ where, name: p.name, described: "string" });
  });

  test("every operation may get the Host guard's 421, described once", () => {
    for (const { where, op } of operations(doc)) expect({ where, wrongHost: op.responses?.["421"] }).toEqual({ where, wrongHost: { $ref: "#/components/responses/WrongHost" } });
    expect(doc.components?.responses?.WrongHost?.content?.["application/json"]?.example).toMatchObject({ error: "MISDIRECTED" });
  });

  test("the servers are the origin the document came from; the info names the licence", () => {
    expect(doc.servers).toEqual([{ url: "/", description: "This orchestrator" }]);
    expect(doc.info?.license).toEqual({ name: "MIT", identifier: "MIT" });
  });
});

describe("the OpenAPI document does not depend on what was asked before it", () => {
  test("the same after a fresh app has answered reads, errors and validation failures", async () => {
    const before = await (await get("/docs/json")).text();
    const busy = createApi(new FakePort(), { cors: [], host: "127.0.0.1", port: 9000 });
    for (const path of ["/orchestrator/status", "/orchestrator/services", "/orchestrator/services/api", "/orchestrator/services/nope", "/orchestrator/events?limit=0", "/orchestrator/stats"]) {
      await busy.handle(new Request(`http://127.0.0.1:9000${path}`));
    }
    const after = await (await busy.handle(new Request("http://127.0.0.1:9000/docs/json"))).text();
    expect(after).toBe(before);
    expect(after).not.toContain('"additionalProperties":false');
  });

  test("the contract declares no additionalProperties (the published document drops the ones Elysia writes)", () => {
    const dir = join(import.meta.dir, "../../src/contract");
    const declaring = readdirSync(dir).filter((file) => readFileSync(join(dir, file), "utf8").includes("additionalProperties"));
    expect(declaring).toEqual([]);
  });
});

function operations(doc: OpenApiDoc): { where: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ where: `${method} ${path}`, op })));
}

describe("the Swagger UI page works offline", async () => {
  const html = await (await get("/docs")).text();
  const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);

  test("it references no remote asset", () => {
    expect(html).toContain("SwaggerUIBundle");
    expect(html).not.toMatch(/https?:\/\//);
    expect(urls.sort()).toEqual(["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"]);
  });

  test("every asset it references is served by the app", async () => {
    for (const url of urls) {
      const res = await get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
    expect((await get("/docs/assets/swagger-ui-bundle.js")).headers.get("content-type")).toContain("javascript");
    expect((await get("/docs/assets/swagger-ui.css")).headers.get("content-type")).toContain("text/css");
  });

  test("it points Swagger UI at the local document and turns off the remote validator badge", () => {
    expect(html).toContain('"url":"/docs/json"');
    expect(html).toContain('"validatorUrl":null');
  });
});
