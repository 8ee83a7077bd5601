/**
 * Whether `limits.memory` can also be enforced by the kernel (SPEC §13): a cgroup v2
 * hierarchy with the memory controller, and a subtree of it delegated to this process
 * (writable, not the root cgroup). Read-only: nothing here creates or changes a cgroup.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { join } from "node:path";

export type CgroupVerdict = { usable: true; dir: string } | { usable: false; reason: string };

/** What the judgement reads; the real one reads /proc/self and the cgroup files. */
export interface CgroupFacts {
  /** Text of /proc/self/mountinfo. */
  mountinfo: string;
  /** Text of /proc/self/cgroup. */
  cgroup: string;
  readText(path: string): string | undefined;
  isWritable(path: string): boolean;
}

interface Mount {
  root: string;
  point: string;
  type: string;
  options: string;
}

/** Judge from `facts` whether a delegated cgroup v2 subtree with the memory controller is ours. */
export function judgeCgroupMemory(facts: CgroupFacts): CgroupVerdict {
  const mounts = parseMountinfo(facts.mountinfo);
  const v2 = mounts.find((m) => m.type === "cgroup2");
  const v1Memory = mounts.find((m) => m.type === "cgroup" && m.options.split(",").includes("memory"));
  const v1Note = v1Memory ? `; memory is managed by cgroup v1 (mounted at ${v1Memory.point})` : "";
  if (!v2) return { usable: false, reason: `no cgroup v2 hierarchy is mounted${v1Note}` };
  const own = facts.cgroup.split("\n").find((line) => line.startsWith("0::"));
  if (own === undefined) return { usable: false, reason: `this process has no cgroup v2 group (no "0::" line in /proc/self/cgroup)${v1Note}` };
  const path = own.slice(3).trim() || "/";
  if (v2.root !== "/" && !path.startsWith(v2.root)) return { usable: false, reason: `its cgroup ${path} is outside the cgroup v2 mount at ${v2.point}` };
  const dir = join(v2.point, v2.root === "/" ? path : path.slice(v2.root.length));
  const controllers = (facts.readText(join(dir, "cgroup.controllers")) ?? "").trim().split(/\s+/).filter(Boolean);
  if (!controllers.includes("memory")) {
    const offered = controllers.length > 0 ? controllers.join(" ") : "none";
    return { usable: false, reason: `the cgroup v2 hierarchy at ${v2.point} offers no memory controller (controllers: ${offered})${v1Note}` };
  }
  if (path === "/") return { usable: false, reason: `the orchestrator runs in the root cgroup of ${v2.point}, not in a delegated subtree (e.g. systemd Delegate=yes)` };
  for (const file of ["cgroup.procs", "cgroup.subtree_control"]) {
    if (!facts.isWritable(join(dir, file))) return { usable: false, reason: `the cgroup ${dir} is not delegated to this process (${file} is not writable)` };
  }
  return { usable: true, dir };
}

/** Judge this machine. */
export function detectCgroupMemory(): CgroupVerdict {
  const readText = (path: string): string | undefined => {
    try {
      return readFileSync(path, "latin1");
    } catch {
      return undefined;
    }
  };
  const isWritable = (path: string): boolean => {
    try {
      accessSync(path, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  };
  return judgeCgroupMemory({ mountinfo: readText("/proc/self/mountinfo") ?? "", cgroup: readText("/proc/self/cgroup") ?? "", readText, isWritable });
}

// `id parent major:minor root point options [optional fields...] - type source superoptions`
function parseMountinfo(text: string): Mount[] {
  return text.split("\n").flatMap((line) => {
    const [left, right] = line.split(" - ");
    if (!left || !right) return [];
    const fields = left.split(" ");
    const [type, , superOptions] = right.split(" ");
    if (fields.length < 6 || !type) return [];
    return [{ root: unescape(fields[3]!), point: unescape(fields[4]!), type, options: `${fields[5]},${superOptions ?? ""}` }];
  });
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
function unescape(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
