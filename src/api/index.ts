/** The HTTP API: build it over an OrchestratorPort, check its exposure, serve it. */
export { createApi, type ApiOptions, type OrchestratorApi } from "./create-api";
export { startApiServer, ApiServerError, type RunningApi } from "./server";
export { checkExposure } from "./auth";
export { warmReads, WARM_READS } from "./warm-reads";
