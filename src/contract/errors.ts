/**
 * The base of every error the orchestrator throws on purpose (STYLE.md habit 5). It imports
 * nothing, so every layer can use it.
 *
 * - `code`: a stable SCREAMING_SNAKE name for what went wrong (`UNKNOWN_SERVICE`). The API sends
 *   it as `error` in its `{error, message}` body; callers, tests and the CLI's exit codes branch
 *   on it, never on the message.
 * - `status`: always an HTTP status, also for an error that never reaches the API: the answer
 *   the problem deserves. 4xx is the caller's or the manifest's to fix (400 bad input, 404
 *   unknown name, 409 conflicts with the current state, 422 a config that cannot be used);
 *   503 is something unavailable for now; any other 5xx is the orchestrator's own trouble (a
 *   bug, or the host refusing). The API answers 4xx and 503 as they are and anything else as
 *   500 INTERNAL (src/api/errors.ts).
 * - Not the exit code: the CLI picks that from `code` (src/cli/exit-code.ts: 2 for a usage or
 *   configuration problem, 1 for anything else), since one status can mean either there.
 * - `cause`: the error this one wraps, when it wraps one (the standard `Error.cause`).
 * - `message` says what was expected and what was found; `name` is the class's name.
 */
export abstract class OrchestratorError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** The class's own name, spelled out (a bundler may rename a class). */
  abstract override readonly name: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
