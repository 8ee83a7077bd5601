/**
 * GET /docs (Swagger UI) and /docs/json (the OpenAPI document). The plugin's page loads
 * Swagger UI from a CDN by default; here its CSS and bundle are embedded in the binary
 * (`type: "file"` imports) and served under /docs/assets, so the docs work with no internet.
 */
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import pkg from "../../package.json" with { type: "json" };
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
  return new Elysia({ name: "orchestrator-docs" }).use(assets).use(
    openapi({
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
          description: "Read the fleet's state, act on services, replay events. Errors are JSON {error, message}. With api.token set, POST routes and the stream need Authorization: Bearer TOKEN.",
        },
        tags: [
          { name: "read", description: "The fleet's state, open to every caller." },
          { name: "actions", description: "Act on services; need the token when one is set." },
          { name: "stream", description: "Live events and their replay." },
          { name: "metrics", description: "Prometheus exposition." },
        ],
        components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "The api.token from the manifest." } } },
        paths: streamDocumentation(),
      },
    }),
  );
}
