/**
 * The dashboard page (SPEC §11), bundled by Bun's HTML import: `index.html` pulls in
 * `main.tsx` (Preact) and `styles.css`. `bun build --compile` embeds the bundle in the binary;
 * `bun src/...` bundles it on the fly. Either way Bun serves `/` and the hashed
 * `/chunk-*.js|css` files the page links to, as native routes of its server.
 *
 * Mount it on the API with `createApi(port, { ..., dashboard: mountDashboard })`.
 */
import page from "./index.html";

/** The slice of an Elysia app this needs (kept structural so the dashboard does not depend on Elysia). */
interface ServeConfigurable {
  config: { serve?: { routes?: Record<string, unknown> } & Record<string, unknown> };
}

/**
 * Serve the page at `GET /` of an Elysia app (call before `listen`). Elysia maps an HTML bundle
 * returned by a route to Bun's native routes only when the app has no `onRequest` hook, and the
 * API has one (CORS), so the page goes straight into `config.serve.routes`, which Elysia always
 * hands to Bun.serve. Requests for `/` therefore never reach Elysia's handlers or hooks.
 */
export function mountDashboard<App extends ServeConfigurable>(app: App): App {
  const serve = (app.config.serve ??= {});
  serve.routes = { ...serve.routes, "/": page };
  return app;
}
