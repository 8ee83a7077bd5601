/** Whether limits.memory can use cgroup v2 memory.max: judged from mountinfo, /proc/self/cgroup and the cgroup files. */
import { describe, expect, test } from "bun:test";
import { detectCgroupMemory, judgeCgroupMemory, type CgroupFacts } from "../../src/process/cgroup-v2";

// This machine's layout: cgroup v1 controllers (memory among them), an empty v2 at .../unified.
const HYBRID_MOUNTS = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const HYBRID_CGROUP = "4:memory:/process_api/004b48edc137b4243b7a00f2c6163462\n0::/\n";
// A systemd machine, the orchestrator's unit with Delegate=yes.
const V2_MOUNTS = "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot";
const V2_CGROUP = "0::/system.slice/orchestrator.service\n";
const UNIT = "/sys/fs/cgroup/system.slice/orchestrator.service";

function facts(mountinfo: string, cgroup: string, files: Record<string, string>, writable: string[] = []): CgroupFacts {
  return { mountinfo, cgroup, readText: (path) => files[path], isWritable: (path) => writable.includes(path) };
}

describe("cgroup v2 memory.max: usable or not, and why", () => {
  test("hybrid (this machine): v2 has no memory controller, v1 has it", () => {
    expect(judgeCgroupMemory(facts(HYBRID_MOUNTS, HYBRID_CGROUP, { "/sys/fs/cgroup/unified/cgroup.controllers": "hugetlb\n" }))).toEqual({
      usable: false,
      reason: "the cgroup v2 hierarchy at /sys/fs/cgroup/unified offers no memory controller (controllers: hugetlb); memory is managed by cgroup v1 (mounted at /sys/fs/cgroup/memory)",
    });
  });

  test("cgroup v1 only", () => {
    expect(judgeCgroupMemory(facts(HYBRID_MOUNTS.split("\n").slice(0, 2).join("\n"), "4:memory:/x\n", {}))).toEqual({
      usable: false,
      reason: "no cgroup v2 hierarchy is mounted; memory is managed by cgroup v1 (mounted at /sys/fs/cgroup/memory)",
    });
  });

  test("a delegated, writable v2 subtree with the memory controller is usable", () => {
    const files = { [`${UNIT}/cgroup.controllers`]: "cpuset cpu io memory pids\n" };
    const writable = [`${UNIT}/cgroup.procs`, `${UNIT}/cgroup.subtree_control`];
    expect(judgeCgroupMemory(facts(V2_MOUNTS, V2_CGROUP, files, writable))).toEqual({ usable: true, dir: UNIT });
  });

  test("not delegated (not writable), or the root cgroup: not used, and said why", () => {
    const files = { [`${UNIT}/cgroup.controllers`]: "memory pids\n", "/sys/fs/cgroup/cgroup.controllers": "memory pids\n" };
    expect(judgeCgroupMemory(facts(V2_MOUNTS, V2_CGROUP, files))).toEqual({
      usable: false,
      reason: `the cgroup ${UNIT} is not delegated to this process (cgroup.procs is not writable)`,
    });
    expect(judgeCgroupMemory(facts(V2_MOUNTS, "0::/\n", files, ["/sys/fs/cgroup/cgroup.procs"]))).toEqual({
      usable: false,
      reason: "the orchestrator runs in the root cgroup of /sys/fs/cgroup, not in a delegated subtree (e.g. systemd Delegate=yes)",
    });
  });

  test("this machine gets a verdict with a reason or a directory, and nothing is changed to find out", () => {
    const verdict = detectCgroupMemory();
    if (verdict.usable) expect(verdict.dir).toStartWith("/");
    else expect(verdict.reason.length).toBeGreaterThan(10);
  });
});
