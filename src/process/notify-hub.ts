/**
 * The orchestrator's sd_notify(3) sockets (SPEC §14): one AF_UNIX datagram socket per
 * spawn of a `ready: { notify: systemd }` service, in a private folder, its path given to
 * the service as NOTIFY_SOCKET. One Worker (notify-worker.ts) blocks in epoll_wait over all
 * of them; when one is readable this thread drains it with recvmsg, one datagram at a time
 * with the sender's pid, and re-arms it. Idle, nothing runs: no timer, no poll.
 * A datagram counts only when its sender belongs to the service (its process group, or its
 * spawn's marker); a sender already gone cannot be asked, and is let through: the socket
 * file is the service user's, mode 0600, so only that user (or root) can send at all.
 */
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeFd, createPipe } from "../lib/libc";
import { bindDatagramSocket, createEpoll, receiveDatagram, unwatch, watchReadable, writeByte } from "../lib/libc-socket";
import { parseNotifyMessage } from "./notify-message";
import type { NotifyWorkerStart } from "./notify-worker";

export interface NotifyListener {
  /** Whether `pid` (alive when asked) is one of the service's processes. */
  isOwn(pid: number): boolean;
  onMessage(fields: Record<string, string>, pid: number): void;
}

export interface NotifyEndpoint {
  /** NOTIFY_SOCKET for the service. */
  readonly path: string;
  close(): void;
}

/**
 * Where the worker's module is. From source: next to this file. In the compiled binary it
 * is an extra entry point (package.json `build`), embedded at its path under `src/`.
 */
export function notifyWorkerLocations(): (URL | string)[] {
  if (!Bun.main.startsWith("/$bunfs/")) return [new URL("./notify-worker.ts", import.meta.url)];
  return ["/$bunfs/root/process/notify-worker.js", "/$bunfs/root/src/process/notify-worker.js"];
}

interface Running {
  dir: string;
  epfd: number;
  wake: [number, number];
  worker: Worker;
}

export class NotifyHub {
  private running: Running | null = null;
  private readonly sockets = new Map<number, NotifyListener>();
  private opened = 0;

  constructor(private readonly locations: () => (URL | string)[] = notifyWorkerLocations) {}

  /** A socket for one spawn; `owner`: the account the service runs as, who must be able to send. Throws when it cannot be made. */
  open(listener: NotifyListener, owner?: { uid: number; gid: number }): NotifyEndpoint {
    const running = this.start();
    const path = join(running.dir, `${++this.opened}.sock`);
    const fd = bindDatagramSocket(path);
    try {
      if (owner) chownSync(path, owner.uid, owner.gid);
      chmodSync(path, 0o600);
      watchReadable(running.epfd, fd);
    } catch (error) {
      closeFd(fd);
      rmSync(path, { force: true });
      throw error;
    }
    this.sockets.set(fd, listener);
    let open = true;
    return {
      path,
      close: () => {
        if (!open) return;
        open = false;
        this.sockets.delete(fd);
        unwatch(running.epfd, fd);
        closeFd(fd);
        rmSync(path, { force: true });
      },
    };
  }

  /** How many sockets are open now. */
  get size(): number {
    return this.sockets.size;
  }

  /** End the worker and remove the folder (the sockets still open are closed with it). */
  close(): void {
    const running = this.running;
    if (!running) return;
    this.running = null;
    for (const fd of this.sockets.keys()) closeFd(fd);
    this.sockets.clear();
    writeByte(running.wake[1]);
    closeFd(running.wake[1]);
    rmSync(running.dir, { recursive: true, force: true });
  }

  private start(): Running {
    if (this.running) return this.running;
    const dir = mkdtempSync(join(tmpdir(), "orchestrator-notify-"));
    // services running as other users reach their own socket; they cannot list the folder
    chmodSync(dir, 0o711);
    const epfd = createEpoll();
    const wake = createPipe();
    watchReadable(epfd, wake[0]);
    const worker = this.startWorker();
    worker.onmessage = (event: MessageEvent<number[]>) => this.drain(event.data);
    worker.postMessage({ epfd, wakeFd: wake[0] } satisfies NotifyWorkerStart);
    (worker as Worker & { unref?(): void }).unref?.(); // never keeps the orchestrator alive
    return (this.running = { dir, epfd, wake, worker });
  }

  private startWorker(): Worker {
    const failures: string[] = [];
    for (const location of this.locations()) {
      try {
        return new Worker(location);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    throw new Error(`cannot start the notify socket worker: ${failures.join("; ") || "no location"}`);
  }

  // Runs on this thread for each batch the worker reports: read every datagram, then ask for the next wake-up.
  private drain(fds: number[]): void {
    const running = this.running;
    if (!running || !Array.isArray(fds)) return;
    for (const fd of fds) {
      const listener = this.sockets.get(fd);
      if (!listener) continue; // closed since
      for (let datagram = receiveDatagram(fd); datagram; datagram = receiveDatagram(fd)) deliver(listener, datagram.text, datagram.pid);
      try {
        watchReadable(running.epfd, fd, true);
      } catch {
        // closed between the read and the re-arm
      }
    }
  }
}

function deliver(listener: NotifyListener, text: string, pid: number): void {
  try {
    if (pid > 0 && !listener.isOwn(pid)) return;
    listener.onMessage(parseNotifyMessage(text), pid);
  } catch {
    // the listener's bug must not stop the other sockets
  }
}
