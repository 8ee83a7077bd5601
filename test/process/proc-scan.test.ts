import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { reapAdoptedZombies } from "../../src/process/descendants";
import { reapChild, setChildSubreaper } from "../../src/lib/libc";
import { MARKER_VAR } from "../../src/process/marker";
import { listLeaderChildren } from "../../src/process/proc-stats";
import { listChildren, readPidfdPids, readProcessInfo, scanAdoptedTrees, scanAllProcesses, scanDescendants } from "../../src/process/proc-scan";
import { readProcState, isGone, killPids, waitFor } from "../helpers/processes";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

/** Start `sh -c script` that prints one pid and exits: that pid is orphaned and, with the subreaper on, adopted by us. */
async function orphan(script: string, extraEnv: Record<string, string> = {}): Promise<number> {
  const parent = Bun.spawn(["/bin/sh", "-c", script], { env: { ...env, ...extraEnv }, stdout: "pipe" });
  const pid = Number((await new Response(parent.stdout).text()).trim());
  await parent.exited;
  await waitFor(() => readProcessInfo(pid)?.ppid === process.pid, 5000, `orphan ${pid} to be adopted`);
  return pid;
}

describe("/proc scans and the libc calls (real processes, this process a subreaper)", () => {
  const started: number[] = [];
  beforeAll(() => expect(setChildSubreaper(true)).toBeNull());
  afterAll(() => {
    killPids(started);
    reapAdoptedZombies();
    setChildSubreaper(false);
  });

  test("a child Bun spawned: listed as our child, with a pidfd, its marker and start time read", async () => {
    const child = Bun.spawn(["sleep", "30"], { env: { ...env, [MARKER_VAR]: "r/1/x" } });
    started.push(child.pid);
    await waitFor(() => readProcessInfo(child.pid)?.marker === "r/1/x", 5000, "sleep to be exec'd");
    expect(listChildren(process.pid)).toContain(child.pid);
    expect(listLeaderChildren(process.pid)).toContain(child.pid);
    expect(readPidfdPids().has(child.pid)).toBe(true);
    const info = readProcessInfo(child.pid)!;
    expect(info).toMatchObject({ pid: child.pid, ppid: process.pid, marker: "r/1/x" });
    expect(info.state).not.toBe("Z");
    expect(info.startTicks).toBeGreaterThan(0);
    expect(scanAllProcesses().some((p) => p.pid === child.pid && p.marker === "r/1/x")).toBe(true);
    // Bun's child is not "adopted"; the adopted-tree scan leaves it out.
    expect(scanAdoptedTrees(process.pid, (pid) => pid === child.pid)?.some((p) => p.pid === child.pid)).toBe(false);
    child.kill();
    await child.exited;
    expect(readPidfdPids().has(child.pid)).toBe(false); // Bun closes it once it has reaped the child
  });

  test("an orphan is adopted: no pidfd, found with its subtree by the adopted-tree scan", async () => {
    const adopted = await orphan("sh -c 'sleep 30 & wait' >/dev/null & echo $!");
    await waitFor(() => (listChildren(adopted) ?? []).length === 1, 5000, "the adopted sh to start its sleep");
    const [grandchild] = listChildren(adopted)!;
    started.push(adopted, grandchild!);
    const pidfds = readPidfdPids();
    expect(pidfds.has(adopted)).toBe(false);
    // the kernel hands an orphan to the subreaper's main thread: the one children file the adopted-tree scan reads
    expect(listLeaderChildren(process.pid)).toContain(adopted);
    const tree = scanAdoptedTrees(process.pid, (pid) => pidfds.has(pid))!.map((p) => p.pid);
    expect(tree).toContain(adopted);
    expect(tree).toContain(grandchild);
  });

  test("scanDescendants: Bun's children, adopted orphans and their children, and nothing that is not ours", async () => {
    const child = Bun.spawn(["sleep", "30"], { env });
    const adopted = await orphan("sh -c 'sleep 30 & wait' >/dev/null & echo $!");
    await waitFor(() => (listChildren(adopted) ?? []).length === 1, 5000, "the adopted sh to start its sleep");
    const [grandchild] = listChildren(adopted)!;
    started.push(child.pid, adopted, grandchild!);
    const pids = scanDescendants(process.pid)!.map((p) => p.pid);
    expect(pids).toEqual(expect.arrayContaining([child.pid, adopted, grandchild!]));
    expect(pids).not.toContain(process.pid);
    expect(pids).not.toContain(1);
    if (process.ppid > 1) expect(pids).not.toContain(process.ppid);
  });

  test("reapChild: running, then reaped once it is a zombie, and never a process that is not our child", async () => {
    const adopted = await orphan("sleep 30 >/dev/null & echo $!");
    started.push(adopted);
    expect(reapChild(adopted)).toBe("running");
    process.kill(adopted, "SIGKILL");
    await waitFor(() => readProcState(adopted) === "Z", 5000, "the adopted sleep to be a zombie");
    expect(reapChild(adopted)).toBe("reaped");
    expect(existsSync(`/proc/${adopted}`)).toBe(false);
    expect(reapChild(1)).toBe("not-a-child");
    expect(listLeaderChildren(adopted)).toBeNull(); // gone
  });

  test("reapAdoptedZombies reaps adopted zombies and leaves Bun's own zombie alone, whatever the timing", async () => {
    const adopted = await orphan("sleep 30 >/dev/null & echo $!");
    started.push(adopted);
    process.kill(adopted, "SIGKILL");
    const own = Bun.spawn(["/bin/sh", "-c", "exit 7"], { env });
    // Keep the event loop busy until Bun's child is a zombie: Bun cannot have reaped it yet.
    const deadline = Date.now() + 5000;
    while ((readProcState(own.pid) !== "Z" || readProcState(adopted) !== "Z") && Date.now() < deadline) {}
    expect(readProcState(own.pid)).toBe("Z");
    const reaped = reapAdoptedZombies();
    expect(reaped).toEqual([adopted]);
    expect(readProcState(own.pid)).toBe("Z"); // still Bun's to reap
    expect(await own.exited).toBe(7);
    expect(isGone(adopted) && !existsSync(`/proc/${adopted}`)).toBe(true);
  });
});
