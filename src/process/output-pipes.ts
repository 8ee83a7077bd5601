/**
 * A child's stdout and stderr as real pipes. Bun.spawn's "pipe" is a socketpair, and Linux
 * cannot open() a socket through /dev/stdout, /dev/stderr or /proc/self/fd/1 (ENXIO): nginx's
 * `access_log /dev/stdout` and `echo x > /dev/stderr` fail on one. So we make two pipe2(2)
 * pipes, hand the write ends to Bun.spawn as the child's fds 1 and 2, close them here right
 * after the spawn (the child holds its own copies), and read the read ends. Both ends are
 * O_CLOEXEC: no other child inherits them. A pipe's inode is its creator's, mode 0600, and
 * /dev/stdout re-opens the inode, so for a service running as another user the pipes are
 * given to that user first (as container runtimes do with a container's stdio).
 */
import { changeOwner, closeFd, createPipe } from "../lib/libc";
import type { StreamName } from "../contract/output";
import { pumpLines, type PumpOptions } from "./pump-lines";

export class OutputPipes {
  private readonly stdoutEnds: [number, number];
  private readonly stderrEnds: [number, number];
  private writeEndsOpen = true;

  /** Throws (EMFILE, no libc, EPERM for `owner`) with nothing left open. */
  constructor(owner?: { uid: number; gid: number }) {
    this.stdoutEnds = createPipe();
    try {
      this.stderrEnds = createPipe();
    } catch (error) {
      this.stdoutEnds.forEach(closeFd);
      throw error;
    }
    try {
      if (owner) for (const [, write] of [this.stdoutEnds, this.stderrEnds]) changeOwner(write, owner.uid, owner.gid);
    } catch (error) {
      this.closeAll();
      throw error;
    }
  }

  /** The write ends: give them to Bun.spawn as `stdout` and `stderr`. */
  get stdout(): number {
    return this.stdoutEnds[1];
  }

  get stderr(): number {
    return this.stderrEnds[1];
  }

  /** After the spawn: our copies of the write ends go, so the read ends see EOF when the child's do. */
  closeWriteEnds(): void {
    if (!this.writeEndsOpen) return;
    this.writeEndsOpen = false;
    closeFd(this.stdoutEnds[1]);
    closeFd(this.stderrEnds[1]);
  }

  /** The spawn failed: close all four ends. */
  closeAll(): void {
    this.closeWriteEnds();
    closeFd(this.stdoutEnds[0]);
    closeFd(this.stderrEnds[0]);
  }

  /** Read both to their end as lines (see pumpLines); each read end is closed once it is done. */
  pump(onLine: (stream: StreamName, line: string) => void, options: PumpOptions): Promise<void> {
    this.closeWriteEnds();
    return Promise.all([pumpPipe(this.stdoutEnds[0], "stdout", onLine, options), pumpPipe(this.stderrEnds[0], "stderr", onLine, options)]).then(() => {});
  }
}

async function pumpPipe(fd: number, name: StreamName, onLine: (stream: StreamName, line: string) => void, options: PumpOptions): Promise<void> {
  try {
    // Bun reads a pipe fd without blocking a thread (RWF_NOWAIT + epoll), and only as fast as we pull: backpressure holds.
    await pumpLines(Bun.file(fd).stream(), name, onLine, options);
  } finally {
    closeFd(fd); // Bun.file(fd) does not own the fd
  }
}
