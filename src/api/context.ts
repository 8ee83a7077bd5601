/** What every route module of the API shares: the port, and the checks built from the options. */
import type { OrchestratorPort } from "../app/port";
import type { TokenGate } from "./auth";
import type { OriginPolicy } from "./origins";

export interface ApiContext {
  port: OrchestratorPort;
  auth: TokenGate;
  origins: OriginPolicy;
}

/** The slice of Bun's server a route sees (Elysia's `server`), enough to name the client. */
export interface ClientSocketInfo {
  requestIP(request: Request): { address: string } | null;
}

/** The client's IP address as the socket says ("in-process" for `app.handle` without a server). */
export function clientAddress(server: ClientSocketInfo | null | undefined, request: Request): string {
  return server?.requestIP(request)?.address ?? "in-process";
}
