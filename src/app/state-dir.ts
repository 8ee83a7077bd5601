/**
 * `state.dir` must be a folder the orchestrator can write before anything starts: made 0700
 * when missing (logs/ too), then proven writable with a probe file. Anything else is a
 * StateDirError that names the folder, says what is wrong and what is needed.
 */
import { closeSync, openSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { OrchestratorError } from "../contract/errors";
import { makePrivateDir, PRIVATE_FILE_MODE } from "../lib/private-files";
import { describeCause } from "../lib/storage-health";

/** `up` prints its message and exits 1, having started nothing (500: the host refuses the folder). */
export class StateDirError extends OrchestratorError {
  override readonly code = "STATE_DIR_UNUSABLE";
  override readonly status = 500;
  override readonly name = "StateDirError";

  constructor(readonly dir: string, cause: unknown) {
    super(`cannot use state.dir ${dir}: ${explain(cause)}; expected a directory the orchestrator can write`, { cause });
  }
}

/** Make sure `dir` and `dir/logs` exist (0700 when created; logs/ is narrowed to 0700) and that `dir` takes a new file. */
export function prepareStateDir(dir: string): void {
  try {
    makePrivateDir(dir);
    makePrivateDir(join(dir, "logs"), { narrow: true });
    const probe = join(dir, `.write-probe-${process.pid}`);
    closeSync(openSync(probe, "w", PRIVATE_FILE_MODE));
    unlinkSync(probe);
  } catch (error) {
    throw new StateDirError(dir, error);
  }
}

function explain(error: unknown): string {
  switch ((error as NodeJS.ErrnoException)?.code) {
    case "EROFS":
      return "not writable (read-only file system)";
    case "EACCES":
    case "EPERM":
      return "not writable (permission denied)";
    case "EEXIST":
    case "ENOTDIR":
      return `not a directory (a file is in the way: ${(error as NodeJS.ErrnoException).path ?? "?"})`;
    case "ENOSPC":
      return "no space left on device (not even for an empty file)";
    default:
      return describeCause(error);
  }
}
