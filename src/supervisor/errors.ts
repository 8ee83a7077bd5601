/** Errors the supervisor's public methods throw; the API maps `status` to its response. */

export class UnknownServiceError extends Error {
  readonly code = "UNKNOWN_SERVICE";
  readonly status = 404;
  constructor(
    readonly service: string,
    known: readonly string[],
  ) {
    super(`expected one of the enabled services (${known.join(", ") || "none"}), got "${service}"`);
    this.name = "UnknownServiceError";
  }
}

export class ShuttingDownError extends Error {
  readonly code = "SHUTTING_DOWN";
  readonly status = 409;
  constructor(action: string, service: string) {
    super(`cannot ${action} "${service}": the orchestrator is shutting down`);
    this.name = "ShuttingDownError";
  }
}
