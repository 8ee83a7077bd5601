/**
 * The notify sockets' waiter (SPEC §14), a Worker: it blocks in epoll_wait on the epoll set
 * the main thread fills (notify-hub.ts), so waiting for sd_notify datagrams costs no CPU and
 * no timer. It reads nothing: it posts the numbers of the readable fds (each watched
 * one-shot) and the main thread drains and re-arms them. A byte on the wake pipe ends it.
 */
import { waitReadable, EPOLL_EVENT_SIZE } from "../lib/libc-socket";

export interface NotifyWorkerStart {
  epfd: number;
  wakeFd: number;
}

declare const self: Worker;

self.onmessage = (event: MessageEvent<NotifyWorkerStart>) => {
  const { epfd, wakeFd } = event.data;
  const events = new Uint8Array(64 * EPOLL_EVENT_SIZE);
  for (;;) {
    const fds = waitReadable(epfd, events);
    if (fds.includes(wakeFd)) break;
    if (fds.length > 0) self.postMessage(fds);
  }
  self.onmessage = null; // nothing left to wait for: the worker ends
};
