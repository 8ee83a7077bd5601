/**
 * A spawn's notification channel (SPEC §14), set up before the spawn so it is there when the
 * service first speaks: `notify: systemd` gets a socket of the NotifyHub (NOTIFY_SOCKET, and
 * WATCHDOG_USEC with a watchdog); `notify: fd` gets a pipe whose write end is the child's fd
 * N and whose first newline is reported as `READY=1`. Closed when the spawn is over.
 */
import { closeFd, createPipe } from "../lib/libc";
import { readProcessInfo } from "./proc-scan";
import type { NotifyHub } from "./notify-hub";
import type { NotifyFields, SpawnSpec } from "./spawner";

export interface ReadyChannel {
  /** Added to the child's environment. */
  env: Record<string, string>;
  /** Given to the child by number (launch's `extraFds`). */
  extraFds?: Record<number, number>;
  exportWatchdogPid: boolean;
  /** After the spawn: whose processes may speak (the group leader's pid, and later groups, e.g. an adopted daemon's); our copy of a write end goes. */
  began(pgid: number): void;
  close(): void;
}

const NONE: ReadyChannel = { env: {}, exportWatchdogPid: false, began: () => {}, close: () => {} };

/** Throws when the channel cannot be made (no libc, no worker, EMFILE): the spawn fails with that. */
export function openReadyChannel(spec: SpawnSpec, marker: string, hub: NotifyHub, onNotify: (fields: NotifyFields) => void): ReadyChannel {
  const notify = spec.notify;
  if (!notify) return NONE;
  if (notify.kind === "fd") return openFdChannel(notify.fd, onNotify);
  const groups = new Set<number>();
  const isOwn = (pid: number) => {
    const info = readProcessInfo(pid);
    // gone (or a zombie) by now: it cannot be asked, and only the service's user can reach the socket
    return !info || info.state === "Z" || groups.has(info.pgid) || info.marker === marker;
  };
  const account = spec.runAs?.account;
  const endpoint = hub.open({ isOwn, onMessage: (fields) => onNotify(fields) }, account);
  const env: Record<string, string> = { NOTIFY_SOCKET: endpoint.path };
  if (notify.watchdogMs !== undefined) env.WATCHDOG_USEC = String(Math.round(notify.watchdogMs * 1000));
  return { env, exportWatchdogPid: notify.watchdogMs !== undefined, began: (pgid) => void groups.add(pgid), close: () => endpoint.close() };
}

function openFdChannel(fd: number, onNotify: (fields: NotifyFields) => void): ReadyChannel {
  const [readEnd, writeEnd] = createPipe();
  let writeOpen = true;
  let reading = false;
  const closeWrite = () => {
    if (writeOpen) closeFd(writeEnd);
    writeOpen = false;
  };
  return {
    env: {},
    extraFds: { [fd]: writeEnd },
    exportWatchdogPid: false,
    began: () => {
      if (reading) return; // a pidFile daemon's group comes later: the pipe is read once
      closeWrite();
      reading = true;
      void readNotifications(readEnd, () => onNotify({ READY: "1" }));
    },
    close: () => {
      closeWrite();
      if (!reading) closeFd(readEnd); // never spawned: nobody reads it
      reading = true;
    },
  };
}

// s6: readiness is the first newline. What comes after is read and ignored (closing our end early would SIGPIPE a writer), to EOF.
async function readNotifications(fd: number, onReady: () => void): Promise<void> {
  let ready = false;
  try {
    const reader = Bun.file(fd).stream().getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      if (!ready && next.value.includes(10)) {
        ready = true;
        onReady();
      }
    }
  } catch {
    // the pipe broke: nothing more will come
  } finally {
    closeFd(fd);
  }
}
