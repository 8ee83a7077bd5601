/**
 * The dashboard's files as the API serves them, from source (bundled in memory by Bun.build)
 * and from a compiled bundle's `files` list, over a real socket.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApi, startApiServer, type RunningApi } from "../../src/api";
import { loadDashboardFiles, mountDashboard } from "../../src/dashboard";
import { FakePort } from "../helpers/fake-port";
import { freePort } from "../helpers/processes";

const port = new FakePort();
const servers: RunningApi[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function serve(dashboard: Parameters<typeof mountDashboard>[1]) {
  const apiPort = freePort();
  const app = createApi(port, { cors: [], host: "127.0.0.1", port: apiPort, dashboard: (a) => mountDashboard(a, dashboard) });
  const server = startApiServer(app, { host: "127.0.0.1", port: apiPort });
  servers.push(server);
  return server.url;
}

describe("the dashboard's files", () => {
  test("from source: the page and every file it links to, through the API's routes and headers", async () => {
    const files = await loadDashboardFiles();
    const html = await files.get("/")!.body.text();
    const linked = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    expect(linked.length).toBeGreaterThanOrEqual(2);
    const url = await serve(Promise.resolve(files));
    const page = await fetch(`${url}/`);
    expect(page.headers.get("content-type")).toStartWith("text/html");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(await page.text()).toBe(html);
    for (const path of linked) {
      const res = await fetch(url + path);
      expect({ path, status: res.status, type: res.headers.get("content-type")?.split(";")[0] }).toEqual({ path, status: 200, type: path.endsWith(".css") ? "text/css" : "text/javascript" });
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const etag = res.headers.get("etag")!;
      expect((await fetch(url + path, { headers: { "if-none-match": etag } })).status).toBe(304);
    }
    expect((await fetch(`${url}/chunk-nope.js`)).status).toBe(404);
  });

  test("from a compiled bundle's `files`: each served under its own name with its content type and ETag", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orch-bundle-"));
    dirs.push(dir);
    writeFileSync(join(dir, "index-abc.html"), '<!doctype html><script type="module" src="/chunk-1.js"></script>');
    writeFileSync(join(dir, "chunk-1.js"), "console.log(1)");
    const bundle = {
      index: join(dir, "index-abc.html"),
      files: [
        { path: join(dir, "chunk-1.js"), loader: "js" as const, isEntry: true, headers: { etag: "e1", "content-type": "text/javascript;charset=utf-8" } },
        { path: join(dir, "index-abc.html"), loader: "html" as const, isEntry: true, headers: { etag: "e2", "content-type": "text/html;charset=utf-8" } },
      ],
    };
    const url = await serve(loadDashboardFiles(bundle));
    const page = await fetch(`${url}/`);
    expect({ type: page.headers.get("content-type"), etag: page.headers.get("etag"), body: await page.text() }).toEqual({
      type: "text/html;charset=utf-8",
      etag: '"e2"',
      body: '<!doctype html><script type="module" src="/chunk-1.js"></script>',
    });
    const chunk = await fetch(`${url}/chunk-1.js`);
    expect({ status: chunk.status, body: await chunk.text(), cache: chunk.headers.get("cache-control") }).toEqual({ status: 200, body: "console.log(1)", cache: "public, max-age=31536000, immutable" });
  });

  test("a dashboard that cannot be loaded is a 503 JSON at /, not a crash", async () => {
    const url = await serve(Promise.reject(new Error("syntax error in main.tsx")));
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "DASHBOARD_UNAVAILABLE", message: "the dashboard could not be loaded: syntax error in main.tsx" });
  });
});
