/**
 * What can go wrong talking to a running orchestrator. `status` is HTTP-like (see
 * OrchestratorError): the API's answer when there was one, else the status the failure comes
 * closest to. The exit code is not `status`: src/cli/exit-code.ts picks it from `code`.
 */
import { OrchestratorError } from "../../contract/errors";

export type ClientErrorCode =
  | "BAD_API_URL"
  | "BAD_MANIFEST"
  | "UNREACHABLE"
  | "TIMEOUT"
  | "UNAUTHORIZED"
  | "UNKNOWN_SERVICE"
  | "CONFLICT"
  | "BAD_REQUEST"
  | "API_ERROR"
  | "BAD_RESPONSE";

/** The status of a failure the API did not answer (or for which it gave none). */
const STATUS: Record<ClientErrorCode, number> = {
  BAD_API_URL: 400,
  BAD_MANIFEST: 400,
  UNREACHABLE: 503,
  TIMEOUT: 504,
  UNAUTHORIZED: 401,
  UNKNOWN_SERVICE: 404,
  CONFLICT: 409,
  BAD_REQUEST: 400,
  API_ERROR: 502,
  BAD_RESPONSE: 502,
};

export class ClientError extends OrchestratorError {
  override readonly status: number;
  override readonly name = "ClientError";

  constructor(
    override readonly code: ClientErrorCode,
    message: string,
    /** `httpStatus`: the API's answer, when this error is about one. */
    options: { httpStatus?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.httpStatus ?? STATUS[code];
  }
}
