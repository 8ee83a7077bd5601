/**
 * The real API over a FakePort: in process (`request` → `app.handle`), or served on a real
 * socket for clients that speak HTTP and WebSocket (the CLI), recording what they sent.
 */
import { createApi, startApiServer, type ApiOptions, type OrchestratorApi, type RunningApi } from "../../src/api";
import { FakePort } from "./fake-port";
import { freePort } from "./processes";

export type FakeApiOptions = Partial<Omit<ApiOptions, "host" | "port">>;

export interface FakeApp {
  port: FakePort;
  app: OrchestratorApi;
  /** The port the app believes it listens on (its own origin). */
  apiPort: number;
  request(path: string, init?: RequestInit): Promise<Response>;
}

function appOver(port: FakePort, options: FakeApiOptions, apiPort: number): OrchestratorApi {
  return createApi(port, { cors: [], ...options, host: "127.0.0.1", port: apiPort });
}

/** createApi over `port`, for `app.handle` in process. */
export function createFakeApp(port = new FakePort(), options: FakeApiOptions = {}): FakeApp {
  const apiPort = freePort();
  const app = appOver(port, options, apiPort);
  return { port, app, apiPort, request: (path, init) => app.handle(new Request(`http://127.0.0.1:${apiPort}${path}`, init)) };
}

export interface FakeApi extends FakeApp {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** Requests seen as "METHOD /path?query", oldest first. */
  requests: string[];
  /** The credentials each request carried: its Authorization header, or `?token=` as "Bearer …"; null for none. */
  auth: (string | null)[];
  /** Drop every connection (open streams included) and serve a fresh app over the same port data, on the same address. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The API over `port`, listening on 127.0.0.1. */
export function serveFakeApi(port = new FakePort(), options: FakeApiOptions = {}): FakeApi {
  const fake = createFakeApp(port, options);
  const requests: string[] = [];
  const auth: (string | null)[] = [];
  const serve = (app: OrchestratorApi): RunningApi => {
    app.onRequest(({ request }) => {
      const url = new URL(request.url);
      requests.push(`${request.method} ${url.pathname}${url.search}`);
      const token = url.searchParams.get("token");
      auth.push(request.headers.get("authorization") ?? (token === null ? null : `Bearer ${token}`));
    });
    return startApiServer(app, { host: "127.0.0.1", port: fake.apiPort });
  };
  let server = serve(fake.app);
  const api: FakeApi = {
    ...fake,
    url: server.url,
    requests,
    auth,
    async restart() {
      await server.stop();
      api.app = appOver(port, options, fake.apiPort);
      server = serve(api.app);
    },
    stop: () => server.stop(),
  };
  return api;
}
