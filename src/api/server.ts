/** Serve the API on a real socket (Bun.serve through Elysia's listen). */
import type { AnyElysia } from "elysia";
import { OrchestratorError } from "../contract/errors";

/** The API could not listen (500: the host refused the address); `up` logs it and exits 1. */
export class ApiServerError extends OrchestratorError {
  override readonly status = 500;
  override readonly name = "ApiServerError";
  constructor(
    override readonly code: "ADDRESS_IN_USE" | "ADDRESS_NOT_AVAILABLE" | "PERMISSION_DENIED" | "LISTEN_FAILED",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface RunningApi {
  /** e.g. http://127.0.0.1:9000 */
  url: string;
  port: number;
  /** Close the listener and every open connection (stream clients included). */
  stop(): Promise<void>;
}

/** Listen on host:port (port 0 picks a free one); a port in use is an ApiServerError with code ADDRESS_IN_USE. */
export function startApiServer(app: AnyElysia, options: { host: string; port: number }): RunningApi {
  try {
    // Elysia defaults to SO_REUSEPORT, which would let a second orchestrator share the port silently
    app.listen({ hostname: options.host, port: options.port, reusePort: false, development: false });
  } catch (err) {
    throw describeListenError(err, options);
  }
  const server = app.server;
  if (!server?.port) throw new ApiServerError("LISTEN_FAILED", `could not listen on ${formatAddress(options.host, options.port)}: no server was started`);
  return {
    url: `http://${formatAddress(options.host, server.port)}`,
    port: server.port,
    stop: async () => {
      await app.stop(true);
    },
  };
}

function describeListenError(err: unknown, options: { host: string; port: number }): ApiServerError {
  const code = (err as { code?: string }).code ?? "";
  const where = formatAddress(options.host, options.port);
  const text = `${code} ${(err as Error)?.message ?? ""}`;
  if (/EADDRINUSE|in use/i.test(text)) {
    return new ApiServerError("ADDRESS_IN_USE", `cannot listen on ${where}: the port is already in use (set api.port to a free port)`, { cause: err });
  }
  if (/EADDRNOTAVAIL/i.test(text)) {
    return new ApiServerError("ADDRESS_NOT_AVAILABLE", `cannot listen on ${where}: no local interface has that address (check api.host)`, { cause: err });
  }
  if (/EACCES|permission/i.test(text)) {
    return new ApiServerError("PERMISSION_DENIED", `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`, { cause: err });
  }
  return new ApiServerError("LISTEN_FAILED", `cannot listen on ${where}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

function formatAddress(host: string, port: number): string {
  return `${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}
