/**
 * Real small (or read-only) filesystems for storage tests: a tmpfs mounted on a fresh tmp
 * dir, a filler file that takes every free byte, and unmounting. Mounting needs root; where
 * it cannot happen, `mountTmpfs` says why, for `test.skipIf` and the skip message.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Mounted = { dir: string; skip: null } | { dir: null; skip: string };

/** Mount a tmpfs of `size` (e.g. "4m") on a new tmp dir; `ro` makes it read-only. */
export function mountTmpfs(size: string, options: { ro?: boolean } = {}): Mounted {
  if (process.getuid?.() !== 0) return { dir: null, skip: "mounting a tmpfs needs root, and this test runs as another user" };
  const dir = mkdtempSync(join(tmpdir(), "orch-tmpfs-"));
  const opts = [`size=${size}`, "mode=0755", ...(options.ro ? ["ro"] : [])].join(",");
  const result = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir], { stderr: "pipe" });
  if (result.exitCode === 0) return { dir, skip: null };
  rmSync(dir, { recursive: true, force: true });
  return { dir: null, skip: `mount -t tmpfs failed here (${result.stderr.toString().trim() || `exit ${result.exitCode}`})` };
}

/** Unmount and remove a dir mountTmpfs made (lazily, so a file still open cannot keep it mounted). */
export function unmountTmpfs(dir: string | null): void {
  if (!dir) return;
  Bun.spawnSync(["umount", "-l", dir], { stderr: "pipe" });
  rmSync(dir, { recursive: true, force: true });
}

/** Write `path` until the filesystem is full; returns the bytes written. */
export function fillDisk(path: string): number {
  const fd = openSync(path, "a");
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let total = 0;
  try {
    for (let size = chunk.length; size >= 1; ) {
      try {
        total += writeSync(fd, chunk, 0, size);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
        size = size >> 1; // take the last few blocks in smaller pieces
      }
    }
  } finally {
    closeSync(fd);
  }
  return total;
}
