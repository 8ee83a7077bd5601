/**
 * The CLI's exit code for an error that reached main.ts: 2 for a usage or configuration
 * problem (retrying will not help until the user changes something), 1 for anything else
 * (SPEC §3: 0 success, 1 runtime failure, 2 usage or manifest error). Chosen by `code`, not by
 * the HTTP-like `status`: a 404 can be an unknown service (2) or a route the API lacks (1).
 */
import { OrchestratorError } from "../contract/errors";
import type { UsageError } from "./args";
import type { ClientErrorCode } from "./client/errors";

const USER_MUST_ACT: ReadonlySet<string> = new Set<UsageError["code"] | ClientErrorCode>(["USAGE", "BAD_API_URL", "BAD_MANIFEST", "UNAUTHORIZED", "UNKNOWN_SERVICE", "BAD_REQUEST"]);

/** 2 when `error` is ours and the user must change something first, else 1. */
export function exitCodeFor(error: unknown): 1 | 2 {
  return error instanceof OrchestratorError && USER_MUST_ACT.has(error.code) ? 2 : 1;
}
