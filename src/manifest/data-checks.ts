/**
 * `check`'s view of `data` (SPEC §17): each path where a service keeps its state must exist
 * and be writable by the user the service runs as (its `account`, else the orchestrator's
 * own identity). Permission bits are read as the kernel would for that user: search (x) on
 * every folder on the way, write (and search, for a folder) on the path itself.
 */
import { statSync, type Stats } from "node:fs";
import { dirname } from "node:path";
import type { ServiceConfig } from "../contract/config";

/** Who the service's process is, for the permission bits. */
export interface DataIdentity {
  uid: number;
  gid: number;
  groups: readonly number[];
  /** How a problem names it: `postgres`, or `the orchestrator (uid 0)`. */
  label: string;
}

export interface DataProblem {
  /** Index in `data`. */
  index: number;
  message: string;
}

const WRITE = 0o2;
const SEARCH = 0o1;

function statOf(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

// root passes every check but search on a path no one may search, which cannot matter for a folder
function allows(stats: Stats, who: DataIdentity, bits: number): boolean {
  if (who.uid === 0) return true;
  const shift = stats.uid === who.uid ? 6 : stats.gid === who.gid || who.groups.includes(stats.gid) ? 3 : 0;
  return ((stats.mode >> shift) & bits) === bits;
}

/** The first folder above `path` the identity cannot pass through, or null. */
function blockingAncestor(path: string, who: DataIdentity): string | null {
  const chain: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    const stats = statOf(dir);
    if (stats && !allows(stats, who, SEARCH)) return dir;
  }
  return null;
}

function owner(stats: Stats): string {
  return `uid ${stats.uid}, gid ${stats.gid}, mode ${(stats.mode & 0o7777).toString(8).padStart(4, "0")}`;
}

/** Why one data path would not hold the service's state, or null when it would. */
export function describeDataProblem(path: string, who: DataIdentity): string | null {
  const stats = statOf(path);
  if (!stats) return `data "${path}" does not exist: create it, writable by ${who.label}, before the service starts (unless the service creates it itself)`;
  const blocked = blockingAncestor(path, who);
  if (blocked) return `data "${path}" is not writable by ${who.label}: it cannot pass through ${blocked} (${owner(statOf(blocked)!)})`;
  const bits = stats.isDirectory() ? WRITE | SEARCH : WRITE;
  if (!allows(stats, who, bits)) return `data "${path}" is not writable by ${who.label}: it is owned by ${owner(stats)}; chown it to ${who.label} or make it group-writable`;
  return null;
}

/** The identity a service's process runs with: its resolved account, else the orchestrator's own. */
export function dataIdentity(service: ServiceConfig, self: Omit<DataIdentity, "label">): DataIdentity {
  const account = service.account;
  if (account) return { uid: account.uid, gid: account.gid, groups: account.groups, label: `${account.user} (uid ${account.uid})` };
  return { ...self, label: `the orchestrator's user (uid ${self.uid})` };
}

/** Every data path of the service that is missing or not writable by who runs it. */
export function findDataProblems(service: ServiceConfig, self: Omit<DataIdentity, "label">): DataProblem[] {
  const who = dataIdentity(service, self);
  return (service.data ?? []).flatMap((path, index) => {
    const message = describeDataProblem(path, who);
    return message ? [{ index, message }] : [];
  });
}
