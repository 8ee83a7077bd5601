/** Errors the supervisor's public methods throw; the API answers with their `status`. */
import { OrchestratorError } from "../contract/errors";

export class UnknownServiceError extends OrchestratorError {
  override readonly code = "UNKNOWN_SERVICE";
  override readonly status = 404;
  override readonly name = "UnknownServiceError";
  constructor(
    readonly service: string,
    known: readonly string[],
  ) {
    super(`expected one of the enabled services (${known.join(", ") || "none"}), got "${service}"`);
  }
}

export class ShuttingDownError extends OrchestratorError {
  override readonly code = "SHUTTING_DOWN";
  override readonly status = 409;
  override readonly name = "ShuttingDownError";
  constructor(action: string, service: string) {
    super(`cannot ${action} "${service}": the orchestrator is shutting down`);
  }
}
