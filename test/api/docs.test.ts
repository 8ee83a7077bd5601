import { describe, expect, test } from "bun:test";
import { createApi } from "../../src/api";
import { FakePort } from "../helpers/fake-port";

// The docs need no fleet: the port is never called for them.
const api = createApi(new FakePort(), { cors: [], host: "127.0.0.1", port: 9000 });
const get = (path: string) => api.handle(new Request(`http://127.0.0.1:9000${path}`));

interface OpenApiDoc {
  paths: Record<string, Record<string, { summary?: string; description?: string; responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
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
    expect(documented.length).toBe(16);
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
});

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
