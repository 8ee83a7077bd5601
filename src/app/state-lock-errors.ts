/** Why `up` could not lock its state dir; the CLI prints the message and exits 1. */
import { OrchestratorError } from "../contract/errors";
import type { LockHolder } from "./state-lock-holder";

/** 409: another orchestrator (or another process) holds the lock. */
export class StateDirInUseError extends OrchestratorError {
  override readonly code = "STATE_DIR_IN_USE";
  override readonly status = 409;
  override readonly name = "StateDirInUseError";
  constructor(
    readonly stateDir: string,
    readonly holder: LockHolder,
    lockFile: string,
  ) {
    super(`state.dir ${stateDir} is ${describeHolder(holder, lockFile)}; stop it first or set a different state.dir`);
  }
}

/** 500: the lock could not be taken at all (the host refused a file, or it kept changing). */
export class StateLockError extends OrchestratorError {
  override readonly code = "STATE_LOCK_FAILED";
  override readonly status = 500;
  override readonly name = "StateLockError";
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

function describeHolder(holder: LockHolder, lockFile: string): string {
  if (holder.orchestrator) {
    const api = holder.listening ? holder.api : `${holder.api}, not listening yet`;
    return `in use by another orchestrator (pid ${holder.pid}, API ${api})`;
  }
  const pid = holder.pid === null ? "pid unknown" : `pid ${holder.pid}`;
  return `locked by another process (${pid}; ${lockFile} holds no record of a running orchestrator)`;
}

/** `EACCES: permission denied` from a node:fs error. */
export function describeFsError(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  const text = String(message ?? err);
  return code && !text.startsWith(code) ? `${code}: ${text}` : text;
}
