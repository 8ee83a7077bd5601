/**
 * Writing the CLI's output: all of it, in order, before the process exits. A synchronous write
 * loop on the fd, not process.stdout: the stream machinery of node:stream costs a client
 * command about 4 ms to set up (bench/cli-start.ts), more than rendering a 200-service table.
 * A pipe left non-blocking by whoever started us answers EAGAIN when full: wait 1 ms and go
 * on, so a slow reader (`orchestrator status --json | jq`) gets every byte. A reader that went
 * away (EPIPE, `| head`) or an fd that cannot be written (EBADF, a closed stdout) ends that
 * output quietly: a message that cannot be shown must not turn into a crash.
 */
import { readlinkSync, writeSync } from "node:fs";

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes every byte of `text` to `fd`; false when it cannot (the reader has gone, the fd is closed). */
export function writeAll(fd: number, text: string): boolean {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; ) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EAGAIN") return false;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
  return true;
}

/**
 * Whether `fd` is a terminal, read from /proc/self/fd: node:tty's isatty loads node:net and the
 * stream machinery with it (the 4 ms above). Anything unreadable counts as not a terminal.
 */
export function isTerminal(fd: number): boolean {
  try {
    return /^\/dev\/(pts\/\d+|tty\w*|console)$/.test(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return false;
  }
}
