/**
 * GET /docs (Swagger UI) and /docs/json (the OpenAPI document). The plugin's page loads
 * Swagger UI from a CDN by default; here its CSS and bundle are embedded in the binary
 * (`type: "file"` imports) and served under /docs/assets, so the docs work with no internet.
 * The page's Content-Security-Policy allows those assets and, by hash, the page's own inline
 * script and style blocks, nothing else. The document is the generated one finished by
 * ./publish-document.ts (no Elysia-only keywords; the Host guard's 421 on every operation).
 */
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import pkg from "../../package.json" with { type: "json" };
import { ErrorSchema } from "../contract/actions";
import { OPEN_ROUTES } from "./auth";
import { createHostPolicy } from "./host-guard";
import { publishDocument, WRONG_HOST_RESPONSE } from "./publish-document";
import { pagePolicy, policyForHtml } from "./security-headers";
import { streamDocumentation } from "./stream-docs";

export const DOCS_PATH = "/docs";
export const SPEC_PATH = "/docs/json";

const ASSETS: Record<string, { file: string; type: string }> = {
  "swagger-ui.css": { file: swaggerCss, type: "text/css; charset=utf-8" },
  "swagger-ui-bundle.js": { file: swaggerBundle, type: "text/javascript; charset=utf-8" },
};

// The plugin's own `url` is relative ("docs/json"), which breaks under "/docs/"; its type
// omits `url`, so it is passed through a spread.
const absoluteSpecUrl = { url: SPEC_PATH };

export function docsPlugin() {
  const assets = new Elysia({ name: "orchestrator-docs-assets" }).get(
    `${DOCS_PATH}/assets/:file`,
    ({ params }) => {
      // a malformed %-escape (e.g. %zz) reaches the handler as null, not as a string
      const file: unknown = params.file;
      const asset = typeof file === "string" && Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
      if (!asset) {
        const got = typeof file === "string" ? JSON.stringify(file.slice(0, 100)) : "with a malformed %-escape";
        return Response.json({ error: "NOT_FOUND", message: `no docs asset ${got}` }, { status: 404 });
      }
      return new Response(Bun.file(asset.file), { headers: { "content-type": asset.type, "cache-control": "public, max-age=86400" } });
    },
    { detail: { hide: true } },
  );
  const swagger = openapi({
    path: DOCS_PATH,
    specPath: SPEC_PATH,
    provider: "swagger-ui",
    swagger: {
      theme: `${DOCS_PATH}/assets/swagger-ui.css`,
      cdn: `${DOCS_PATH}/assets/swagger-ui-bundle.js`,
      ...absoluteSpecUrl,
      // the default validator badge fetches from validator.swagger.io
      validatorUrl: null as unknown as string, // typed string, but Swagger UI wants null to disable it
      persistAuthorization: true,
    },
    documentation: {
      info: {
        title: "orchestrator API",
        version: pkg.version,
        description:
          "Read the fleet's state, act on services, replay events. Errors are JSON {error, message}. " +
          `With api.token set, every route needs Authorization: Bearer TOKEN except these, open to every caller: ${OPEN_ROUTES.join("; ")}. ` +
          "More than a few different wrong tokens from one client address within a minute get 429 with Retry-After. " +
          "On every route: a Host header that is not a loopback name or address, api.host or a name in api.allowedHosts gets 421 (DNS rebinding); " +
          "a method the path is not served with gets 405 with an Allow header.",
        license: { name: pkg.license, identifier: pkg.license },
      },
      // relative to the document: the API at the origin /docs/json was fetched from, whatever api.host, port or proxy in front
      servers: [{ url: "/", description: "This orchestrator" }],
      tags: [
        { name: "read", description: "The fleet's state. Status, health-status and session are open; the rest needs the token when one is set." },
        { name: "actions", description: "Act on services; need the token when one is set." },
        { name: "stream", description: "Live events and their replay." },
        { name: "metrics", description: "Prometheus exposition." },
      ],
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "The api.token from the manifest." } },
        responses: {
          [WRONG_HOST_RESPONSE]: {
            description: "Misdirected: the Host header names none of the hosts this orchestrator answers to (loopback, api.host, api.allowedHosts); a guard against DNS rebinding",
            content: { "application/json": { schema: ErrorSchema, example: wrongHostExample() } },
          },
        },
      },
      paths: streamDocumentation(),
    },
  });
  // The plugin serves its page as one static Response, which no route hook sees: read a copy
  // of it once and allow the inline blocks it holds, by hash. Its body is a string, so the
  // read has settled at once (Bun.peek); the hook stays synchronous, since one async
  // onRequest hook would put every request of the API through an await.
  const page = swagger.router.history.find((r) => r.method === "GET" && r.path === DOCS_PATH)?.handler;
  let docsPolicy = pagePolicy();
  if (page instanceof Response) {
    const html = Bun.peek(page.clone().text());
    if (typeof html === "string") docsPolicy = policyForHtml(html);
    else void html.then((text) => (docsPolicy = policyForHtml(text)));
  }
  // the plugin hands out the same generated object until the routes change: finish each one once
  const published = new WeakMap<object, object>();
  return new Elysia({ name: "orchestrator-docs" })
    .onRequest(({ request, set }) => {
      if (isDocsPage(request.url)) set.headers["content-security-policy"] = docsPolicy;
    })
    .onAfterHandle(({ route, response }) => {
      if (route !== SPEC_PATH || typeof response !== "object" || response === null) return;
      if (!published.has(response)) published.set(response, publishDocument(response));
      return published.get(response);
    })
    .use(assets)
    .use(swagger);
}

// what the Host guard itself answers a page on another name that resolves to this machine
function wrongHostExample() {
  const refusal = createHostPolicy({ host: "127.0.0.1" }).check(new Request("http://attacker.example/orchestrator/services"));
  return { error: refusal?.code, message: refusal?.message };
}

function isDocsPage(url: string): boolean {
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, "").replace(/[?#].*$/, "");
  return path === DOCS_PATH || path === `${DOCS_PATH}/`;
}
