// Measurements, not tests: `bun bench/measure-spawner.ts`. Spawn cost for 200, exit→respawn
// overhead (direct, and through the run-as exec chain when run as root), stdout flood (RSS,
// lines/s, our CPU, event-loop lag) and /proc sampling cost.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogRingBuffer } from "../src/logs/ring-buffer";
import { RotatingFile } from "../src/logs/rotating-file";
import { BunSpawner } from "../src/process/bun-spawner";
import { ProcStatsSampler } from "../src/process/proc-stats";
import { findUser, listUserGroups } from "../src/lib/libc";
import type { ChildHandle, RunAs } from "../src/process/spawner";
import { fixtureCommand } from "../test/helpers/processes";
import { timeSpawnLoop } from "./measure";

const env = process.env as Record<string, string>;
const spec = (name: string, command: string[] | string) => ({ name, command, cwd: import.meta.dir, env });
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function measureSpawn200(spawner: BunSpawner): Promise<ChildHandle[]> {
  const { children, loopMs } = await timeSpawnLoop(spawner, 200, (i) => spec(`s${i}`, ["sleep", "30"]));
  console.log(`spawn 200 (sleep, pipes, detached, watchdog): ${loopMs.toFixed(1)} ms`);
  return children;
}

function measureSampling(pids: number[]): void {
  const sampler = new ProcStatsSampler();
  sampler.sample(pids);
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) sampler.sample(pids);
  console.log(`ProcStatsSampler: ${((performance.now() - t0) / 50).toFixed(2)} ms per sample of ${pids.length} pids`);
}

async function measureRespawn(spawner: BunSpawner): Promise<void> {
  const rounds = 100;
  let t0 = performance.now();
  for (let i = 0; i < rounds; i++) await Bun.spawn(["true"], { stdout: "pipe", stderr: "pipe", detached: true }).exited;
  const raw = (performance.now() - t0) / rounds;
  t0 = performance.now();
  for (let i = 0; i < rounds; i++) await spawner.spawn(spec("crash", ["true"]), () => {}).exited;
  const ours = (performance.now() - t0) / rounds;
  console.log(`exit→respawn cycle: raw Bun.spawn ${raw.toFixed(2)} ms, BunSpawner ${ours.toFixed(2)} ms (our overhead ≈ ${(ours - raw).toFixed(2)} ms)`);
}

// The run-as chain (prlimit → nice → setpriv → sh umask), one link at a time; needs root and a postgres user.
async function measureRunAs(spawner: BunSpawner): Promise<void> {
  const user = findUser("postgres");
  if (process.geteuid?.() !== 0 || !user) return console.log("run-as chain: skipped (needs root and a postgres user)");
  const account = { user: "postgres", uid: user.uid, group: "postgres", gid: user.gid, groups: listUserGroups("postgres", user.gid), home: user.home };
  const cases: [string, RunAs | undefined][] = [
    ["direct", undefined],
    ["user (setpriv)", { account }],
    ["user+umask (setpriv, sh)", { account, umask: "0027" }],
    ["all (prlimit, nice, setpriv, sh)", { account, umask: "0027", nice: 5, limits: { nofile: 4096, core: 0 } }],
  ];
  const rounds = 100;
  for (const [label, runAs] of cases) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) await spawner.spawn({ ...spec("chain", ["true"]), runAs }, () => {}).exited;
    const wall = (performance.now() - t0) / rounds;
    const cpu = process.cpuUsage(cpu0);
    console.log(`run-as ${label}: ${wall.toFixed(2)} ms per start→exit, our CPU ${((cpu.user + cpu.system) / 1000 / rounds).toFixed(2)} ms per start`);
  }
}

async function measureFlood(spawner: BunSpawner, label: string, withFile: boolean): Promise<void> {
  Bun.gc(true);
  const rssBefore = process.memoryUsage().rss;
  const dir = mkdtempSync(join(tmpdir(), "flood-"));
  const ring = new LogRingBuffer();
  const file = withFile ? new RotatingFile({ dir, name: "flood" }) : null;
  let lines = 0;
  let maxLag = 0;
  let last = performance.now();
  const lag = setInterval(() => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last - 10);
    last = now;
  }, 10);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const child = spawner.spawn({ ...spec("flood", fixtureCommand("flood-stdout.ts")), env: { ...env, FLOOD_MS: "3000" } }, (stream, line) => {
    lines++;
    ring.push({ ts: Date.now(), stream, line });
    file?.write(line);
  });
  await child.exited;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(lag);
  await file?.close();
  const rssAfter = process.memoryUsage().rss;
  Bun.gc(true);
  console.log(
    `flood ${label}, ${withFile ? "ring+file" : "ring only"}: ${Math.round(lines / seconds).toLocaleString()} lines/s over ${seconds.toFixed(1)} s, ` +
      `our CPU ${((cpu.user + cpu.system) / 1000 / seconds).toFixed(0)} ms/s, ` +
      `RSS ${mb(rssBefore)} → ${mb(rssAfter)} (after GC ${mb(process.memoryUsage().rss)}), max timer lag ${maxLag.toFixed(1)} ms` +
      (file ? `, dropped ${file.droppedLines}` : ""),
  );
  rmSync(dir, { recursive: true, force: true });
}

const spawner = new BunSpawner();
const children = await measureSpawn200(spawner);
measureSampling(children.map((c) => c.pid));
for (const child of children) child.kill();
await Promise.all(children.map((c) => c.exited));
await measureRespawn(spawner);
await measureRunAs(spawner);
await measureFlood(spawner, "default 16 MiB/s cap", false);
await measureFlood(spawner, "default 16 MiB/s cap", true);
spawner.close();
const unlimited = new BunSpawner({ maxOutputBytesPerSecond: 0 });
await measureFlood(unlimited, "no cap", false);
await measureFlood(unlimited, "no cap", true);
unlimited.close();
