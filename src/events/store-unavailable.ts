import { OrchestratorError } from "../contract/errors";
import { describeCause } from "../lib/storage-health";

/** The history file cannot be read: the API answers 503 (and the CLI exits 1 when it cannot even be opened). */
export class StoreUnavailableError extends OrchestratorError {
  override readonly code = "STORE_UNAVAILABLE";
  override readonly status = 503;
  override readonly name = "StoreUnavailableError";

  constructor(
    readonly path: string,
    cause: unknown,
    doing: "read" | "open" = "read",
  ) {
    const expected =
      doing === "read" ? "expected a readable SQLite file; live events still flow on the stream" : "expected a SQLite file the orchestrator can open and write, with room to grow on its disk";
    super(`cannot ${doing} the event history ${path}: ${describeCause(cause)}; ${expected}`, { cause });
  }
}
