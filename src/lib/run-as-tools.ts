/**
 * What it takes to start a service as another user, with its own umask, nice value and
 * rlimits. Bun.spawn runs no code in the child and sets only uid/gid (groups = [gid]), so the
 * spawner execs a chain of small programs that each change one thing and exec the next, pid
 * unchanged: prlimit(1) (util-linux), nice(1) (coreutils), setpriv(1) (util-linux), then
 * `sh -c 'umask …'`. This module says which of them a service needs and where they are; the
 * manifest check and the spawner both ask it, so `check` reports what the spawner would miss.
 */
import { accessSync, constants, statSync } from "node:fs";
import { getPriority } from "node:os";
import { join } from "node:path";

export type RunAsTool = "prlimit" | "nice" | "setpriv";

/** The Debian package each tool comes in, for the message when it is missing. */
export const TOOL_PACKAGES: Readonly<Record<RunAsTool, string>> = { prlimit: "util-linux", nice: "coreutils", setpriv: "util-linux" };

/** Searched before PATH, so an operator's PATH cannot put another `setpriv` in front of the system's. */
export const SYSTEM_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] as const;

/** Who a service should run as and with what, as far as the chain is concerned (ids already resolved). */
export interface RunAs {
  account?: { uid: number; gid: number; groups: readonly number[] };
  /** Octal, e.g. "0027". */
  umask?: string;
  nice?: number;
  limits?: { nofile?: number | "unlimited"; nproc?: number | "unlimited"; core?: number | "unlimited" };
}

/** The orchestrator's own identity and priority: what a child gets when nothing is changed. */
export interface Identity {
  uid: number;
  gid: number;
  groups: readonly number[];
  nice: number;
}

export function currentIdentity(): Identity {
  let nice = 0;
  try {
    nice = getPriority();
  } catch {
    // no getpriority: assume the default
  }
  return { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0, groups: process.getgroups?.() ?? [], nice };
}

/** True when the account differs from `self` in uid, gid or supplementary groups. */
export function needsAccountSwitch(account: RunAs["account"], self: Identity): boolean {
  if (!account) return false;
  if (account.uid !== self.uid || account.gid !== self.gid) return true;
  return !sameSet(account.groups, self.groups);
}

/** True when a limit is set (an rlimit is applied even when it equals the current one). */
export function hasLimits(runAs: RunAs): boolean {
  const limits = runAs.limits;
  return limits !== undefined && (limits.nofile !== undefined || limits.nproc !== undefined || limits.core !== undefined);
}

/** The tools the chain for `runAs` execs, in chain order (sh for the umask is not listed: it is always there). */
export function toolsNeeded(runAs: RunAs, self: Identity): RunAsTool[] {
  const tools: RunAsTool[] = [];
  if (hasLimits(runAs)) tools.push("prlimit");
  if (runAs.nice !== undefined && runAs.nice !== self.nice) tools.push("nice");
  if (needsAccountSwitch(runAs.account, self)) tools.push("setpriv");
  return tools;
}

/** "setpriv (util-linux), not found in /usr/bin, /bin, /usr/sbin, /sbin or PATH": the spawner's and `check`'s words alike. */
export function describeMissingTool(tool: RunAsTool): string {
  return `${tool} (${TOOL_PACKAGES[tool]}), not found in ${SYSTEM_DIRS.join(", ")} or PATH`;
}

const found = new Map<RunAsTool, string | null>();

/** The absolute path of `tool`: the system directories first, then PATH. Null when absent. Cached per process. */
export function findTool(tool: RunAsTool, path = process.env.PATH ?? ""): string | null {
  if (found.has(tool)) return found.get(tool)!;
  const dirs = [...SYSTEM_DIRS, ...path.split(":").filter((dir) => dir.startsWith("/"))];
  const hit = dirs.map((dir) => join(dir, tool)).find(isExecutableFile) ?? null;
  found.set(tool, hit);
  return hit;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((id) => right.has(id));
}
