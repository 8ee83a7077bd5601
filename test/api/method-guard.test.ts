import { describe, expect, test } from "bun:test";
import { createApi } from "../../src/api";
import { FakePort } from "../helpers/fake-port";

const port = new FakePort();
const api = createApi(port, { cors: [], host: "127.0.0.1", port: 9000 });
const send = (method: string, path: string) => api.handle(new Request(`http://127.0.0.1:9000${path}`, { method }));

describe("methods (in process)", () => {
  test("a method never served is 405 with the path's Allow (or every served method for an unknown path)", async () => {
    for (const [method, path, allow] of [
      ["PROPFIND", "/orchestrator/status", "GET, HEAD, OPTIONS"],
      ["TRACE", "/orchestrator/services/api/logs", "GET, HEAD, OPTIONS"],
      ["DELETE", "/orchestrator/restart/api", "POST, OPTIONS"],
      ["PUT", "/docs/assets/swagger-ui.css", "GET, HEAD, OPTIONS"],
      ["LOCK", "/nowhere", "GET, HEAD, POST, OPTIONS"],
    ]) {
      const res = await send(method!, path!);
      expect({ method, path, status: res.status, allow: res.headers.get("allow") }).toEqual({ method, path, status: 405, allow });
      expect(await res.json()).toEqual({ error: "METHOD_NOT_ALLOWED", message: `${path}: expected ${allow}, got "${method}"` });
    }
  });

  test("a served method on a path that exists for others is 405; on an unknown path 404", async () => {
    expect((await send("POST", "/orchestrator/status")).headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect((await send("GET", "/orchestrator/reload")).status).toBe(405);
    expect((await send("POST", "/orchestrator/nope")).status).toBe(404);
    expect((await send("GET", "/nope")).status).toBe(404);
  });

  test("OPTIONS without an Origin is answered with Allow (no CORS preflight)", async () => {
    const res = await send("OPTIONS", "/orchestrator/stream");
    expect({ status: res.status, allow: res.headers.get("allow") }).toEqual({ status: 204, allow: "GET, HEAD, OPTIONS" });
    expect((await send("OPTIONS", "/nope")).status).toBe(404);
  });
});
