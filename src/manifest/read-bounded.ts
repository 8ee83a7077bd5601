/**
 * Reads a text file of at most `limit` bytes without reading more than `limit + 1`: a file
 * whose stat says it is larger is refused before any read, and one that grows or reports no
 * size (a pipe, /proc) is refused once `limit + 1` bytes have arrived.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export type BoundedRead =
  | { ok: true; text: string }
  /** `size` is the file's size when stat knew it, else only a lower bound (`exact` false). */
  | { ok: false; tooLarge: true; size: number; exact: boolean }
  | { ok: false; tooLarge: false; code: string; message: string };

export const MANIFEST_LIMIT_BYTES = 8 * 1024 * 1024;
/** A service's package.json is a few KiB; even a large monorepo root stays far below this. */
export const PACKAGE_JSON_LIMIT_BYTES = 1024 * 1024;

export function readBounded(path: string, limit: number): BoundedRead {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    return failure(err);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { ok: false, tooLarge: false, code: "EISDIR", message: "is a directory" };
    if (stat.size > limit) return { ok: false, tooLarge: true, size: stat.size, exact: true };
    let buffer = Buffer.allocUnsafe(Math.min(limit + 1, stat.size + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > limit) return { ok: false, tooLarge: true, size: length, exact: false };
        const bigger = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(64 * 1024, buffer.length * 2)));
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) return { ok: true, text: buffer.toString("utf8", 0, length) };
      length += n;
    }
  } catch (err) {
    return failure(err);
  } finally {
    closeSync(fd);
  }
}

/** `expected at most 8 MiB (8388608 bytes), got 9.5 MiB (9961472 bytes)` */
export function describeTooLarge(limit: number, size: number, exact: boolean): string {
  const got = exact ? describeSize(size) : `more than ${describeSize(limit)}`;
  return `expected at most ${describeSize(limit)}, got ${got}`;
}

function describeSize(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  const human = mib >= 1 ? `${+mib.toFixed(1)} MiB` : `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${human} (${bytes} bytes)`;
}

function failure(err: unknown): BoundedRead {
  const code = (err as NodeJS.ErrnoException).code ?? "EIO";
  const message = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
  return { ok: false, tooLarge: false, code, message };
}
