/**
 * Giving back the executable's start-up pages (src/lib/release-pages.ts): which mappings are
 * advised, that the resident file pages really go (in this test process, whose executable is
 * bun itself, and in the compiled binary after a launch), and that the process runs on
 * afterwards (the code it needs faults back in).
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { RELEASE_AFTER_LAUNCH_MS } from "../../src/cli/commands/up";
import { FakeClock } from "../../src/lib/clock";
import { createPageReleaser, releasableMappings, releaseExecutablePages, type PageRelease } from "../../src/lib/release-pages";
import { BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixtureCommand, freePort } from "../helpers/processes";

const rssFileKiB = (pid: number | "self") => Number(/RssFile:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);

const SMAPS = [
  "00200000-01a39000 r--p 00000000 fe:00 42 /opt/orchestrator",
  "Rss:                3880 kB",
  "Anonymous:             0 kB",
  "01a40000-0684a000 r-xp 01838000 fe:00 42 /opt/orchestrator",
  "Anonymous:             0 kB",
  "0684a000-0685f000 rw-p 06641000 fe:00 42 /opt/orchestrator",
  "Anonymous:            56 kB",
  "0685f000-06867000 r--p 06656000 fe:00 42 /opt/orchestrator",
  "Anonymous:            12 kB",
  "7f53de2d8000-7f53de42e000 r-xp 00028000 fe:00 7 /usr/lib/x86_64-linux-gnu/libc.so.6",
  "Anonymous:             0 kB",
  "56078600000-560b8600000 rw-p 00000000 00:00 0 ",
  "Anonymous:         24552 kB",
].join("\n");

describe("releasableMappings", () => {
  test("only the executable's read-only mappings with no copied-on-write page", () => {
    expect(releasableMappings(SMAPS, "/opt/orchestrator")).toEqual([
      [0x200000, 0x1a39000],
      [0x1a40000, 0x684a000],
    ]);
  });
  test("nothing for another executable", () => {
    expect(releasableMappings(SMAPS, "/usr/bin/other")).toEqual([]);
  });
});

describe("releaseExecutablePages", () => {
  test("this process's executable pages leave its resident set, and it runs on", () => {
    const before = rssFileKiB("self");
    const release = releaseExecutablePages();
    expect(release.error).toBeUndefined();
    expect(release.mappings).toBeGreaterThan(0);
    expect(release.residentAfter).toBeLessThan(release.residentBefore);
    expect(rssFileKiB("self")).toBeLessThan(before);
    // the runtime still works: a real subprocess
    expect(Bun.spawnSync(["sh", "-c", "echo still here"]).stdout.toString()).toBe("still here\n");
  });
});

describe("createPageReleaser", () => {
  const result = (n: number): PageRelease => ({ residentBefore: n, residentAfter: 0, mappings: 1 });
  const setUp = () => {
    const clock = new FakeClock(0);
    const released: number[] = [];
    const reported: PageRelease[] = [];
    const pages = createPageReleaser(clock, () => (released.push(clock.now()), result(clock.now())), (r) => reported.push(r));
    return { clock, released, reported, pages };
  };

  test("each delay releases once, at its time, and reports what it gave back", async () => {
    const { clock, released, reported, pages } = setUp();
    pages.schedule([2000, 60_000]);
    await clock.advance(1999);
    expect(released).toEqual([]);
    await clock.advance(1);
    expect(released).toEqual([2000]);
    await clock.advance(58_000);
    expect(released).toEqual([2000, 60_000]);
    expect(reported).toEqual([result(2000), result(60_000)]);
  });

  test("the same delay scheduled again before it ran is pushed back, not doubled", async () => {
    const { clock, released, pages } = setUp();
    pages.schedule([2000]);
    await clock.advance(1500);
    pages.schedule([2000]); // a second reload 1.5 s after the first
    await clock.advance(3000);
    expect(released).toEqual([3500]);
  });

  test("cancel drops every release still to come", async () => {
    const { clock, released, pages } = setUp();
    pages.schedule([2000, 60_000]);
    await clock.advance(2000);
    pages.cancel();
    await clock.advance(60_000);
    expect(released).toEqual([2000]);
  });
});

describe("after a launch (compiled binary)", () => {
  const runs: BinaryRun[] = [];
  beforeAll(() => ensureBinary());
  afterEach(async () => {
    await Promise.all(runs.splice(0).map((run) => run.cleanup()));
  });

  test("it logs what it gave back, its file-backed pages drop, and it still supervises and answers", async () => {
    const apiPort = freePort();
    const dir = writeFleetDir({
      version: 1,
      name: "release",
      api: { host: "127.0.0.1", port: apiPort },
      discovery: { roots: [] },
      state: { dir: "state" },
      services: { web: { command: fixtureCommand("healthy.ts"), port: freePort(), health: { http: "/health", interval: "200ms" } } },
    });
    const run = new BinaryRun(dir, ["up"]);
    runs.push(run);
    await run.waitRecord((r) => r.msg === "SYSTEM READY", 20_000, "SYSTEM READY");
    const before = rssFileKiB(run.pid);
    // the first release comes RELEASE_AFTER_LAUNCH_MS[0] after the launch has settled
    const record = await run.waitRecord((r) => typeof r.msg === "string" && r.msg.startsWith("gave back"), RELEASE_AFTER_LAUNCH_MS[0]! + 10_000, "the page release");
    expect(record.releasedMiB as number).toBeGreaterThan(5);
    expect(rssFileKiB(run.pid)).toBeLessThan(before);
    // probes go on, the API answers, and a killed service is healed
    const services = (await (await fetch(`http://127.0.0.1:${apiPort}/orchestrator/services`)).json()) as { name: string; pid: number; state: string }[];
    expect(services[0]!.state).toBe("healthy");
    process.kill(services[0]!.pid, "SIGKILL");
    await run.waitRecord((r) => r.event === "healing" && r.service === "web" && r.action === "recovered", 10_000, "web recovered");
  }, 60_000);
});
