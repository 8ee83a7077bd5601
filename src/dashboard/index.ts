/**
 * The dashboard page (SPEC §11), bundled by Bun's HTML import: `index.html` pulls in
 * `main.tsx` (Preact) and `styles.css`. `bun build --compile` embeds the bundle in the binary,
 * and lists its files in `page.files`; from source (`bun src/...`) there is no such list, and the
 * page is bundled once, in memory, with Bun.build.
 *
 * The files are served as ordinary routes of the API (not as Bun's native HTML route, which
 * no Elysia hook sees), so the Host check, the method check and the security headers apply to
 * them as to every other route. Mount it with `createApi(port, { ..., dashboard: mountDashboard })`.
 */
import { dirname, relative } from "node:path";
import { Elysia, type AnyElysia } from "elysia";
import { ApiError } from "../api/errors";
import { pagePolicy, streamOrigins } from "../api/security-headers";
import page from "./index.html";

export interface DashboardFile {
  body: Blob;
  contentType: string;
  etag: string;
}

/** The page at "/" and the files it links to, by URL path. */
export type DashboardFiles = Map<string, DashboardFile>;

type Bundle = Bun.HTMLBundle & { index?: string };

/** The dashboard's files: the compiled binary's embedded bundle, or (from source) a build of index.html. */
export async function loadDashboardFiles(bundle: Bundle = page as Bundle): Promise<DashboardFiles> {
  if (bundle.files?.length) return filesOfCompiledBundle(bundle.files, bundle.index);
  if (!bundle.index) throw new Error("the dashboard bundle has neither files nor an index to build");
  return buildDashboard(bundle.index);
}

// The page links to its files by their path below the folder the page itself is in.
function filesOfCompiledBundle(files: NonNullable<Bun.HTMLBundle["files"]>, index: string | undefined): DashboardFiles {
  const root = dirname(index ?? files.find((f) => f.loader === "html")?.path ?? "/");
  const out: DashboardFiles = new Map();
  for (const file of files) {
    const path = file.loader === "html" ? "/" : `/${relative(root, file.path)}`;
    out.set(path, { body: Bun.file(file.path), contentType: file.headers["content-type"], etag: file.headers.etag });
  }
  return out;
}

async function buildDashboard(entry: string): Promise<DashboardFiles> {
  const result = await Bun.build({ entrypoints: [entry], target: "browser", minify: true, publicPath: "/", define: { "process.env.NODE_ENV": '"production"' } });
  if (!result.success) throw new Error(`cannot bundle the dashboard: ${result.logs.map((l) => l.message).join("; ")}`);
  const out: DashboardFiles = new Map();
  for (const artifact of result.outputs) {
    const path = artifact.path.endsWith(".html") ? "/" : `/${relative(".", artifact.path)}`;
    out.set(path, { body: artifact, contentType: artifact.type, etag: artifact.hash ?? String(artifact.size) });
  }
  return out;
}

/**
 * Serve the dashboard on `app`: `GET /` at once (it waits for the files from source), the
 * files it links to as soon as they are known (a plugin Elysia adds when its promise settles).
 */
export function mountDashboard<App extends AnyElysia>(app: App, files: Promise<DashboardFiles> = loadDashboardFiles()): App {
  files.catch(() => {}); // a failed build is answered by GET /, not thrown at startup
  app.get(
    "/",
    async ({ request }) => {
      const loaded = await files.catch((err: Error) => {
        throw new ApiError("DASHBOARD_UNAVAILABLE", 503, `the dashboard could not be loaded: ${err.message}`);
      });
      const file = loaded.get("/")!;
      // the page opens the event stream: allow its ws:// origin explicitly, for browsers whose 'self' does not cover it
      return respondWithFile(request, file, { "content-security-policy": pagePolicy({ connect: streamOrigins(request) }), "cache-control": "no-cache" });
    },
    { detail: { hide: true } },
  );
  app.use(files.then(assetRoutes, () => new Elysia({ name: "orchestrator-dashboard-assets" })));
  return app;
}

function assetRoutes(files: DashboardFiles) {
  const plugin = new Elysia({ name: "orchestrator-dashboard-assets" });
  for (const [path, file] of files) {
    if (path === "/") continue;
    // hashed names: a file never changes under its name
    plugin.get(path, ({ request }) => respondWithFile(request, file, { "cache-control": "public, max-age=31536000, immutable" }), { detail: { hide: true } });
  }
  return plugin;
}

function respondWithFile(request: Request, file: DashboardFile, headers: Record<string, string>): Response {
  const etag = `"${file.etag}"`;
  const common = { ...headers, etag };
  if (request.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers: common });
  return new Response(file.body, { headers: { ...common, "content-type": file.contentType } });
}
