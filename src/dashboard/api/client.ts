/**
 * The dashboard's API client: typed calls to /orchestrator/*, the bearer token (when one is
 * stored) on every call, reads included, and errors that carry the HTTP status and the API's
 * `{error, message}`.
 */
import type { Why } from "../../contract/why";
import type {
  ActionResult,
  GraphJson,
  LogLine,
  OrchestratorEvent,
  OrchestratorStats,
  ServiceActionName,
  ServiceDetail,
  ServiceSummary,
  StoredHealing,
  SystemStatus,
} from "./types";

const TOKEN_KEY = "orchestrator.token";

/**
 * A call the API refused (its HTTP status and `{error, message}`), or one that never reached
 * it (status 0). The browser's own class: not the server's ApiError (src/api/errors.ts), which
 * the dashboard never imports.
 */
export class ApiResponseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiResponseError";
  }

  /** The token is missing or wrong (401), or this address tried too many wrong ones and must wait (429). */
  get unauthorized(): boolean {
    return this.status === 401 || this.status === 429;
  }
}

export interface ApiClient {
  readonly baseUrl: string;
  token(): string | null;
  setToken(token: string | null): void;
  status(): Promise<SystemStatus>;
  services(): Promise<ServiceSummary[]>;
  service(name: string): Promise<ServiceDetail>;
  /** What explains its state (GET /services/:name/why). */
  why(name: string): Promise<Why>;
  logs(name: string, lines?: number): Promise<LogLine[]>;
  dependencies(): Promise<GraphJson>;
  healingHistory(query?: { service?: string; limit?: number }): Promise<StoredHealing[]>;
  events(since: number, limit?: number): Promise<OrchestratorEvent[]>;
  stats(): Promise<OrchestratorStats>;
  act(action: ServiceActionName, name: string): Promise<ActionResult>;
  /** ws:// URL of the event stream (with `?token=` when one is stored). */
  streamUrl(options?: { logs?: string }): string;
  /**
   * Whether the API refuses our token (none, or a wrong one). A browser cannot see why a
   * WebSocket upgrade failed, so after one fails this asks a token-guarded route instead.
   */
  tokenRefused(): Promise<boolean>;
}

/** A client for the API served at `baseUrl` (the page's own origin by default). */
export function createApiClient(baseUrl: string = location.origin, storage: Storage | null = safeStorage()): ApiClient {
  let token = storage?.getItem(TOKEN_KEY) ?? null;

  const enc = encodeURIComponent;

  async function request<T>(method: string, path: string): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(baseUrl + path, { method, headers });
    } catch (cause) {
      throw new ApiResponseError(0, "network", `cannot reach the orchestrator (${(cause as Error).message})`);
    }
    const body = await res.text();
    const json = body ? parseJson(body) : null;
    if (!res.ok) {
      const err = (json ?? {}) as { error?: string; message?: string };
      throw new ApiResponseError(res.status, err.error ?? `http-${res.status}`, err.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return json as T;
  }

  const streamQuery = (logs?: string) => {
    const params = new URLSearchParams();
    if (logs) params.set("logs", logs);
    if (token) params.set("token", token);
    const q = params.toString();
    return `/orchestrator/stream${q ? `?${q}` : ""}`;
  };

  return {
    baseUrl,
    token: () => token,
    setToken(next) {
      token = next;
      if (next) storage?.setItem(TOKEN_KEY, next);
      else storage?.removeItem(TOKEN_KEY);
    },
    status: () => request("GET", "/orchestrator/status"),
    services: () => request("GET", "/orchestrator/services"),
    service: (name) => request("GET", `/orchestrator/services/${enc(name)}`),
    why: (name) => request("GET", `/orchestrator/services/${enc(name)}/why`),
    logs: (name, lines = 200) => request("GET", `/orchestrator/services/${enc(name)}/logs?lines=${lines}`),
    dependencies: () => request("GET", "/orchestrator/dependencies"),
    healingHistory: ({ service, limit = 50 } = {}) =>
      request("GET", `/orchestrator/healing-history?limit=${limit}${service ? `&service=${enc(service)}` : ""}`),
    events: (since, limit = 1000) => request("GET", `/orchestrator/events?since=${since}&limit=${limit}`),
    stats: () => request("GET", "/orchestrator/stats"),
    act: (action, name) => request("POST", `/orchestrator/${action}/${enc(name)}`),
    streamUrl: (options = {}) => baseUrl.replace(/^http/, "ws") + streamQuery(options.logs),
    async tokenRefused() {
      // A browser cannot see why a WebSocket upgrade failed: ask the API directly.
      const session = await request<{ tokenRequired: boolean; authenticated: boolean }>("GET", "/orchestrator/session");
      return session.tokenRequired && !session.authenticated;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

function safeStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
