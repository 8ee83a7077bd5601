/**
 * A small client for the orchestrator's HTTP API over fetch. Every request carries the token
 * when there is one (reads too: most need it when the API has one), is bounded by a timeout,
 * and every failure becomes a ClientError whose message is one line a user can act on.
 */
import type { ActionAccepted, ServiceActionName } from "../../contract/actions";
import type { LogLine } from "../../contract/output";
import type { ServiceDetail, ServiceSummary } from "../../contract/service-view";
import type { SystemStatus } from "../../contract/system-view";
import { didYouMean } from "../../manifest/suggest";
import { ClientError } from "./errors";
import type { ApiTarget } from "./resolve-api";

export const REQUEST_TIMEOUT_MS = 5000;

/** What POST /orchestrator/{action}/:name answers (202); read defensively: fields an API omits are undefined. */
export type ActionReply = Partial<ActionAccepted> & { [key: string]: unknown };

export class ApiClient {
  constructor(
    readonly target: ApiTarget,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  status(): Promise<SystemStatus> {
    return this.request<SystemStatus>("GET", "/orchestrator/status");
  }

  services(): Promise<ServiceSummary[]> {
    return this.request<ServiceSummary[]>("GET", "/orchestrator/services");
  }

  /**
   * The status and the services (cut to `fields`) of one instant, in one request; from an
   * orchestrator older than GET /orchestrator/snapshot (404), the two reads it had.
   */
  async snapshot<F extends keyof ServiceSummary>(fields: readonly F[]): Promise<{ status: SystemStatus; services: Pick<ServiceSummary, F | "name">[] }> {
    try {
      return await this.request("GET", `/orchestrator/snapshot?fields=${fields.join(",")}`);
    } catch (err) {
      if (!(err instanceof ClientError) || err.status !== 404) throw err;
      const [status, services] = await Promise.all([this.status(), this.services()]);
      return { status, services };
    }
  }

  service(name: string): Promise<ServiceDetail> {
    return this.request<ServiceDetail>("GET", `/orchestrator/services/${encodeURIComponent(name)}`, { service: name });
  }

  /** Recent output lines, oldest first. */
  async logs(name: string, lines: number): Promise<LogLine[]> {
    const body = await this.request<unknown>("GET", `/orchestrator/services/${encodeURIComponent(name)}/logs?lines=${lines}`, { service: name });
    const list = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.lines) ? body.lines : undefined;
    if (!list) throw new ClientError("BAD_RESPONSE", `${this.target.url}: expected an array of log lines, got ${describe(body)}`);
    return list as LogLine[];
  }

  act(action: ServiceActionName, name: string): Promise<ActionReply> {
    return this.request<ActionReply>("POST", `/orchestrator/${action}/${encodeURIComponent(name)}`, { service: name });
  }

  /** Headers every request carries (the token, when there is one). */
  headers(): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.target.token) headers.authorization = `Bearer ${this.target.token}`;
    return headers;
  }

  /** `service` names the service a route is about, so a 404 can say which and suggest another. */
  async request<T>(method: "GET" | "POST", path: string, context: { service?: string } = {}): Promise<T> {
    const res = await this.send(method, path);
    const text = await res.text().catch(() => "");
    if (res.ok) {
      try {
        return (text === "" ? {} : JSON.parse(text)) as T;
      } catch (err) {
        throw new ClientError("BAD_RESPONSE", `${this.target.url}${path}: expected JSON, got "${text.slice(0, 60)}"`, { cause: err });
      }
    }
    throw await this.failure(res.status, text, context.service);
  }

  private async send(method: string, path: string): Promise<Response> {
    try {
      return await fetch(this.target.url + path, { method, headers: this.headers(), signal: AbortSignal.timeout(this.timeoutMs), redirect: "manual" });
    } catch (err) {
      throw this.transportError(err);
    }
  }

  /** A fetch that threw: nobody listening, a timeout, or a name that does not resolve. */
  transportError(err: unknown): ClientError {
    const e = err as Error & { code?: string };
    if (e.name === "TimeoutError" || e.name === "AbortError") {
      return new ClientError("TIMEOUT", `the orchestrator at ${this.target.url} did not answer within ${this.timeoutMs / 1000} s`, { cause: err });
    }
    const hint = " (start one with: orchestrator up)";
    if (e.code === "ECONNREFUSED" || e.code === "ConnectionRefused" || e.code === "ECONNRESET") {
      return new ClientError("UNREACHABLE", `no orchestrator is running at ${this.target.url}${hint}`, { cause: err });
    }
    return new ClientError("UNREACHABLE", `cannot reach the orchestrator at ${this.target.url}: ${e.message}${hint}`, { cause: err });
  }

  private async failure(status: number, text: string, service?: string): Promise<ClientError> {
    const message = apiMessage(text) ?? `HTTP ${status}`;
    if (status === 401 || status === 403) return this.unauthorized(status);
    // too many wrong tokens from this address: say so, with the API's "try again in N s"
    if (status === 429) return new ClientError("UNAUTHORIZED", `${message} (is ORCHESTRATOR_TOKEN the manifest's api.token?)`, { httpStatus: status });
    if (status === 404 && service !== undefined) return this.unknownService(service, message);
    if (status === 409) return new ClientError("CONFLICT", message, { httpStatus: status });
    if (status >= 400 && status < 500) return new ClientError("BAD_REQUEST", message, { httpStatus: status });
    return new ClientError("API_ERROR", `the orchestrator answered ${status}: ${message}`, { httpStatus: status });
  }

  /** 401 or 403: no token, or not the one the API wants. */
  unauthorized(status: number): ClientError {
    const why = this.target.token ? "the API refused ORCHESTRATOR_TOKEN (is it the manifest's api.token?)" : "the API needs a token: set ORCHESTRATOR_TOKEN";
    return new ClientError("UNAUTHORIZED", why, { httpStatus: status });
  }

  /** Ask for the list of services, to say which names exist. */
  private async unknownService(name: string, apiMessageText: string): Promise<ClientError> {
    let names: string[] | undefined;
    try {
      names = (await this.services()).map((s) => s.name);
    } catch {
      names = undefined;
    }
    if (names?.includes(name)) return new ClientError("API_ERROR", `${name}: ${apiMessageText}`, { httpStatus: 404 });
    let hint = names ? didYouMean(name, names) : "";
    if (!hint && names?.length) hint = `; services: ${names.slice(0, 12).join(", ")}${names.length > 12 ? `, … (${names.length} in all)` : ""}`;
    if (names?.length === 0) hint = "; the orchestrator runs no services";
    return new ClientError("UNKNOWN_SERVICE", `unknown service "${name}"${hint}`, { httpStatus: 404 });
  }
}

/** The `message` of an `{error, message}` body, else the text itself when it is short. */
function apiMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text);
    if (isRecord(body) && typeof body.message === "string") return body.message;
    if (isRecord(body) && typeof body.error === "string") return body.error;
  } catch {
    // not JSON
  }
  const line = text.trim().split("\n")[0];
  return line && line.length <= 200 ? line : undefined;
}

function describe(body: unknown): string {
  return body === null ? "null" : Array.isArray(body) ? "an array" : typeof body;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
