/**
 * What the orchestrator keeps under `state.dir` (history, service output) is for its owner
 * only: files are created 0600 and folders 0700, whatever the umask, and files of ours left
 * by an older version with wider modes are narrowed when opened.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Create `dir` (and missing parents) 0700; an existing `dir` is narrowed to 0700 when `narrow` is set. */
export function makePrivateDir(dir: string, options: { narrow?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (options.narrow) narrowMode(dir, PRIVATE_DIR_MODE);
}

/** Create `path` empty and 0600 if missing (so files made after it, like SQLite's -wal, copy that mode); narrow it if wider. */
export function makePrivateFile(path: string): void {
  closeSync(openSync(path, "a", PRIVATE_FILE_MODE));
  narrowMode(path, PRIVATE_FILE_MODE);
}

/** chmod `path` to `mode` when its mode differs; a file that vanished meanwhile is not an error. */
export function narrowMode(path: string, mode: number): void {
  try {
    if ((statSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
