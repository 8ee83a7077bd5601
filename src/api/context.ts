/** What every route module of the API shares: the port, and the checks built from the options. */
import type { OrchestratorPort } from "../app/port";
import type { TokenCheck } from "./auth";
import type { OriginPolicy } from "./origins";

export interface ApiContext {
  port: OrchestratorPort;
  tokenCheck: TokenCheck;
  origins: OriginPolicy;
}
