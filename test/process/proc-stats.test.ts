import { afterAll, describe, expect, test } from "bun:test";
import { FakeClock } from "../../src/lib/clock";
import { parseProcStat, ProcStatsSampler, readProcStat } from "../../src/process/proc-stats";
import { readComm } from "../../src/process/proc-scan";
import { killPids, waitFor } from "../helpers/processes";

describe("proc stats", () => {
  const started: number[] = [];
  afterAll(() => killPids(started));

  test("parses a stat line whose command name holds spaces and parentheses", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = "S";
    fields[11] = "150"; // utime
    fields[12] = "50"; // stime
    fields[1] = "7"; // ppid
    fields[2] = "40"; // pgrp
    fields[19] = "98765"; // starttime
    fields[21] = "1234"; // rss pages
    expect(parseProcStat(`42 (my (odd) name) ${fields.join(" ")}`)).toEqual({ state: "S", ppid: 7, pgid: 40, cpuTicks: 200, startTicks: 98765, rssPages: 1234 });
  });

  test("reads this process's RSS and sees CPU spent between samples", async () => {
    const clock = new FakeClock();
    const sampler = new ProcStatsSampler({ clock });
    const first = sampler.sample([process.pid]).get(process.pid)!;
    expect(first.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(first.cpuPercent).toBeNull();
    const before = readProcStat(process.pid)!.cpuTicks;
    while (readProcStat(process.pid)!.cpuTicks < before + 5) {} // spin until the kernel has counted 50 ms more
    await clock.advance(1000);
    expect(sampler.sample([process.pid]).get(process.pid)!.cpuPercent).toBeGreaterThanOrEqual(5);
  });

  test("gone pids are left out; an idle child uses ~no CPU", async () => {
    const child = Bun.spawn(["sleep", "30"]);
    started.push(child.pid);
    const sampler = new ProcStatsSampler();
    sampler.sample([child.pid, 999_999_999]);
    await Bun.sleep(50);
    const usage = sampler.sample([child.pid, 999_999_999]);
    expect([...usage.keys()]).toEqual([child.pid]);
    expect(usage.get(child.pid)!.cpuPercent).toBe(0);
    child.kill("SIGKILL");
    await child.exited;
    expect(sampler.sample([child.pid]).size).toBe(0);
  });

  test("a sample in slices reads every pid, pauses between slices only, and keeps CPU% across samples like sample()", async () => {
    const children = Array.from({ length: 5 }, () => Bun.spawn(["sleep", "30"]));
    started.push(...children.map((c) => c.pid));
    // right after Bun.spawn a child may still be in its exec, with no resident memory yet
    await waitFor(() => children.every((c) => readComm(c.pid) === "sleep"), 5000, "the children to have exec'd sleep");
    const pids = [...children.map((c) => c.pid), 999_999_999];
    const clock = new FakeClock();
    const sampler = new ProcStatsSampler({ clock });
    let pauses = 0;
    const pause = async () => {
      pauses++;
      await clock.advance(1);
    };
    const first = await sampler.sampleInSlices(pids, 2, pause);
    expect(pauses).toBe(2); // 6 pids in slices of 2
    expect([...first.keys()].sort()).toEqual(children.map((c) => c.pid).sort());
    expect([...first.values()].every((u) => u.cpuPercent === null && u.rssBytes > 0)).toBe(true);
    await clock.advance(1000);
    const second = await sampler.sampleInSlices(pids, 2, pause);
    expect([...second.values()].map((u) => u.cpuPercent)).toEqual([0, 0, 0, 0, 0]);
    // what a sliced sample saw is what the next plain one compares against
    await clock.advance(1000);
    expect(sampler.sample([children[0]!.pid]).get(children[0]!.pid)!.cpuPercent).toBe(0);
    for (const c of children) c.kill("SIGKILL");
    await Promise.all(children.map((c) => c.exited));
  });
});
