/**
 * Who listens on a TCP port (SPEC §13, the port guard). First a bind of the port on `::`
 * (dual-stack, so it conflicts with any IPv4 or IPv6 listener), closed at once: a free port,
 * the common case, costs that alone (~0.02 ms). Otherwise the LISTEN sockets of /proc/net/tcp
 * and /proc/net/tcp6 on that port (a few ms: the kernel walks its whole socket table), then the
 * process holding one, found by the socket's inode among the /proc/PID/fd links. Never throws:
 * what cannot be read is left out.
 */
import { readFileSync, readlinkSync } from "node:fs";
import { readMarker } from "./marker";
import { listDir, listPids, readComm } from "./proc-scan";

export interface PortHolder {
  port: number;
  /** null when no process we can read holds the socket (another user's, when not root). */
  pid: number | null;
  /** Its command name (/proc/PID/comm), null with the pid. */
  comm: string | null;
  /** Its ORCHESTRATOR_SERVICE marker (src/process/marker.ts), null when it has none. */
  marker: string | null;
}

const TABLES = ["/proc/net/tcp", "/proc/net/tcp6"];
const LISTEN = "0A";

/**
 * The inodes of the LISTEN sockets on `port` in the text of a /proc/net/tcp table, whatever
 * address they are bound to. Each row: `sl local rem st queues timers retrnsmt uid timeout inode …`,
 * addresses as `HEXADDR:HEXPORT`.
 */
export function parseListenInodes(table: string, port: number): number[] {
  const inodes: number[] = [];
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== LISTEN) continue;
    const local = fields[1]!;
    if (Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16) !== port) continue;
    const inode = Number(fields[9]);
    if (Number.isInteger(inode) && inode > 0) inodes.push(inode);
  }
  return inodes;
}

/** The inodes of every socket listening on TCP `port` (IPv4 and IPv6). */
export function findListenInodes(port: number, tables: readonly string[] = TABLES): number[] {
  return tables.flatMap((path) => {
    try {
      return parseListenInodes(readFileSync(path, "latin1"), port);
    } catch {
      return [];
    }
  });
}

/** The first process (lowest pid) with an fd on one of `inodes`, or null. */
export function findSocketOwner(inodes: ReadonlySet<number>): number | null {
  if (inodes.size === 0) return null;
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  for (const pid of listPids().sort((a, b) => a - b)) {
    for (const fd of listDir(`/proc/${pid}/fd`)) {
      try {
        if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return pid;
      } catch {
        // closed while we looked
      }
    }
  }
  return null;
}

const NO_SOCKET_HANDLER = { data() {} };

/**
 * Whether `port` can be bound now: "free", "taken" (EADDRINUSE), or "unknown" (not ours to
 * bind: a port below 1024 when not root, no IPv6...). Binds with SO_REUSEADDR, so only a
 * listener conflicts, not a connection lingering in TIME_WAIT.
 */
export function tryBind(port: number): "free" | "taken" | "unknown" {
  for (const hostname of ["::", "0.0.0.0"]) {
    try {
      Bun.listen({ hostname, port, socket: NO_SOCKET_HANDLER }).stop(true);
      return "free";
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") return "taken";
    }
  }
  return "unknown";
}

/** Whether anything listens on TCP `port` (the holder is not looked for). */
export function isPortListening(port: number): boolean {
  const bind = tryBind(port);
  return bind === "taken" || (bind === "unknown" && findListenInodes(port).length > 0);
}

/** Who listens on TCP `port` now; null when nothing does. */
export function findPortHolder(port: number): PortHolder | null {
  if (tryBind(port) === "free") return null;
  const inodes = findListenInodes(port);
  if (inodes.length === 0) return null;
  const pid = findSocketOwner(new Set(inodes));
  if (pid === null) return { port, pid: null, comm: null, marker: null };
  return { port, pid, comm: readComm(pid), marker: readMarker(pid) };
}

/** "pid 4121 (postgres)", or what is known when the holder could not be seen. */
export function describeHolder(holder: PortHolder): string {
  if (holder.pid === null) return "a process this orchestrator cannot see (another user's, or in another namespace)";
  return `pid ${holder.pid} (${holder.comm ?? "?"})`;
}
