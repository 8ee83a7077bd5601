/**
 * What can go wrong talking to a running orchestrator. `status` is the exit code main.ts
 * uses (2 for a usage or configuration problem, 1 for a runtime failure); `httpStatus` is
 * the API's answer when there was one.
 */
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

/** Usage and configuration problems (retrying will not help until the user changes something) exit 2. */
const USAGE_CODES = new Set<ClientErrorCode>(["BAD_API_URL", "BAD_MANIFEST", "UNAUTHORIZED", "UNKNOWN_SERVICE", "BAD_REQUEST"]);

export class ClientError extends Error {
  /** The exit code: 2 usage or configuration, 1 runtime failure. */
  readonly status: 1 | 2;
  readonly httpStatus?: number;

  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options: { httpStatus?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ClientError";
    this.status = USAGE_CODES.has(code) ? 2 : 1;
    this.httpStatus = options.httpStatus;
  }
}
