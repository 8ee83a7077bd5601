import { describe, expect, test } from "bun:test";
import { createGroupLiveness, scanLiveGroups } from "../../src/process/group-kill";
import { killPids, waitFor } from "../helpers/processes";

describe("group liveness shared by waiting stops", () => {
  test("stops asking within the window share one /proc pass; later ones make their own", async () => {
    const a = Bun.spawn(["sleep", "30"], { detached: true });
    const b = Bun.spawn(["sleep", "30"], { detached: true });
    try {
      let passes = 0;
      const isLive = createGroupLiveness(10, () => (passes++, scanLiveGroups()));
      expect(isLive(a.pid, 1000)).toBe(true);
      expect(isLive(b.pid, 1005)).toBe(true);
      expect(passes).toBe(1);
      expect(isLive(a.pid, 1010)).toBe(true);
      expect(passes).toBe(2);
    } finally {
      killPids([a.pid, b.pid]);
      await Promise.all([a.exited, b.exited]);
    }
  });

  test("a group gone outright costs no pass; 'gone' never comes from a shared pass that predates the group", async () => {
    let passes = 0;
    let groups = new Set<number>();
    const isLive = createGroupLiveness(10, () => (passes++, groups));
    const gone = Bun.spawn(["true"], { detached: true });
    await gone.exited;
    expect(isLive(gone.pid, 0)).toBe(false);
    expect(passes).toBe(0);
    const born = Bun.spawn(["sleep", "30"], { detached: true });
    try {
      expect(isLive(born.pid, 100)).toBe(false); // the fake pass does not list it: a pass of its own said so
      expect(passes).toBe(1);
      groups = new Set([born.pid]); // the shared pass is stale (made before the group was listed)
      expect(isLive(born.pid, 105)).toBe(true); // within the window, yet "not in the shared pass" was checked again
      expect(passes).toBe(2);
    } finally {
      killPids([born.pid]);
      await born.exited;
    }
  });

  test("real: alive while a member runs, gone once its last member is killed", async () => {
    const leader = Bun.spawn(["/bin/sh", "-c", "sleep 30 >/dev/null & echo $!; exit 0"], { detached: true, stdout: "pipe" });
    const member = Number((await new Response(leader.stdout).text()).trim());
    await leader.exited;
    const isLive = createGroupLiveness(10);
    expect(isLive(leader.pid, 0)).toBe(true); // the leader is reaped, its sleep still runs in the group
    killPids([member]);
    await waitFor(() => !isLive(leader.pid, Date.now()), 5000, "the group to be seen gone");
  });
});
