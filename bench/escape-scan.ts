// Measurements, not tests: `bun bench/escape-scan.ts`. What catching escaped daemons costs
// with ~300 processes on the machine: 200 services (Bun children), 20 double-forked daemons
// adopted by this process as a subreaper, the rest whatever the machine runs. Per spawn end
// (subreaper mode and marker-only mode), per SIGCHLD with nothing to reap, and the
// watchdog's one grep over /proc/*/environ on EOF.
import { DescendantCatcher, reapAdoptedZombies } from "../src/process/descendants";
import { selectEscapees } from "../src/process/escapees";
import { setChildSubreaper } from "../src/lib/libc";
import { formatMarker, MARKER_VAR } from "../src/process/marker";
import { isTrackedChild, trackChild } from "../src/process/own-children";
import { readPidfdPids, scanAdoptedTrees, scanAllProcesses } from "../src/process/proc-scan";
import { killPids, waitGone } from "../test/helpers/processes";

const TARGET = Number(process.env.PROCESSES ?? 300);
const DAEMONS = 20;
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
const started: number[] = [];

function time(label: string, rounds: number, fn: () => unknown): void {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) fn();
  console.log(`${label}: ${((performance.now() - t0) / rounds).toFixed(3)} ms`);
}

/** A daemon outside every group, marked for `runId`'s spawn `spawn`, adopted by us (we are a subreaper). */
async function daemon(runId: string, spawn: number): Promise<{ marker: string; leader: number; pid: number }> {
  const marker = formatMarker({ runId, spawn, name: `d${spawn}` });
  const leader = Bun.spawn(["/bin/sh", "-c", "setsid sh -c 'sleep 3600 >/dev/null 2>&1 & echo $!'"], { env: { ...env, [MARKER_VAR]: marker }, stdout: "pipe" });
  const pid = Number((await new Response(leader.stdout).text()).trim());
  await leader.exited;
  started.push(pid);
  return { marker, leader: leader.pid, pid };
}

async function measureSweeps(mode: "subreaper" | "marker"): Promise<void> {
  const catcher = new DescendantCatcher({ runId: `bench-${mode}`, subreaper: mode === "marker" ? false : undefined });
  catcher.prepare();
  catcher.began("warm/1/x", "x", services[0]!.pid); // decides the mode (one pidfd read)
  time(`spawn end with nothing of its own escaped (${DAEMONS} adopted daemons of others around), ${mode} mode`, 20, () => {
    catcher.began(`bench-${mode}/0/idle`, "idle", services[0]!.pid);
    catcher.ended(`bench-${mode}/0/idle`);
  });
  const daemons = [];
  for (let i = 1; i <= DAEMONS; i++) daemons.push(await daemon(`bench-${mode}`, i));
  for (const d of daemons) catcher.began(d.marker, "d", services[0]!.pid);
  const t0 = performance.now();
  for (const d of daemons) catcher.ended(d.marker);
  const perSweep = (performance.now() - t0) / DAEMONS;
  console.log(`spawn end → sweep, ${mode} mode: ${perSweep.toFixed(2)} ms per end (kills its daemon; ${DAEMONS} ends)`);
  expectGone(await waitGone(daemons.map((d) => d.pid), 5000));
  catcher.close();
}

function expectGone(alive: number[]): void {
  if (alive.length > 0) throw new Error(`escape-scan: expected every daemon killed, ${alive.join(", ")} still run`);
}

setChildSubreaper(true);
// As the spawner starts them: tracked as our own children.
const services = Array.from({ length: 200 }, () => trackChild(Bun.spawn(["sleep", "3600"], { env, stdout: "pipe", stderr: "pipe", detached: true })));
started.push(...services.map((s) => s.pid));
const fillers = Math.max(0, TARGET - 200 - DAEMONS - scanAllProcesses().length);
for (let i = 0; i < fillers; i++) started.push(Bun.spawn(["sleep", "3600"], { env, detached: true }).pid);
{
  const catcher = new DescendantCatcher({ runId: "bench-clean" });
  catcher.prepare();
  catcher.began("bench-clean/0/w", "w", services[0]!.pid);
  time("spawn end, subreaper mode, no process adopted at all (the common case)", 50, () => {
    catcher.began("bench-clean/1/x", "x", services[1]!.pid);
    catcher.ended("bench-clean/1/x");
  });
  catcher.close(); // its last release turns the subreaper off: on again for what follows
  setChildSubreaper(true);
}
const adopted = [];
for (let i = 1; i <= DAEMONS; i++) adopted.push(await daemon("bench-idle", i));
console.log(`${scanAllProcesses().length} processes on the machine, ${services.length} Bun children, ${DAEMONS} adopted daemons`);

const pidfds = () => readPidfdPids();
time("readPidfdPids (only for an unmarked stray or an adopted zombie; one read per open fd)", 50, pidfds);
time("scanAdoptedTrees (subreaper mode table: our untracked children and their subtrees)", 50, () => scanAdoptedTrees(process.pid, isTrackedChild));
time("scanAllProcesses (marker mode table, shutdown)", 20, scanAllProcesses);
const table = scanAllProcesses();
const own = pidfds();
time("selectEscapees over the full table", 50, () =>
  selectEscapees(table, { runId: "bench-idle", selfPid: process.pid, isOwnChild: (child) => own.has(child.pid), live: [] }, { marker: "x", name: "x", pid: 1, startTicks: 0 }),
);
time("SIGCHLD check, nothing to reap (children list + stat of untracked children)", 50, () => reapAdoptedZombies());
time("watchdog EOF pass (one grep over /proc/*/environ, sh included)", 10, () =>
  Bun.spawnSync(["/bin/sh", "-c", `grep -l -s -z -e "^${MARKER_VAR}=nothing-matches/" /proc/[0-9]*/environ`]),
);
await measureSweeps("subreaper");
await measureSweeps("marker");

killPids(started);
for (const s of services) await s.exited;
reapAdoptedZombies();
expectGone(await waitGone(adopted.map((d) => d.pid), 5000));
setChildSubreaper(false);
