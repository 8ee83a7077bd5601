/**
 * Idle CPU of the compiled binary supervising N tinyhttp services with HTTP probes on all of
 * them (the manifest of bench/orchestrator.sh: `defaults.health: { interval, timeout: 2s }`).
 * Every binary given runs its own fleet at the same time (same minutes, same load), on its own
 * ports; after WARMUP s it measures WINDOWS windows of SECONDS s each:
 *   - CPU % of one core: utime+stime of the orchestrator (/proc/PID/stat), children excluded;
 *   - wake-ups/s of its main thread: voluntary context switches of /proc/PID/task/PID/status
 *     (each return from epoll_wait to sleep again is one), and of all its threads together;
 *   - at the end, its USS (Private_Clean + Private_Dirty of smaps_rollup) and RssAnon. Compare USS
 *     only between binaries that each run once: two processes of one binary share its file pages,
 *     which then leave the USS of both (RssAnon is fair either way).
 *
 *   bun bench/idle-cpu.ts [--binary A] [--binary B] [--env B:NAME=VALUE] [--n 200] [--interval 5s]
 *                         [--windows 3] [--seconds 30] [--warmup 15] [--base-port 26000]
 *
 * `--env 2:BUN_GC_TIMER_DISABLE=1` sets a variable for the second binary only (1-based).
 * Needs the shared C service (/tmp/bench-work/tinyhttp, or TINYHTTP=path).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CLOCK_TICKS_PER_SECOND, readAnyProcStat } from "../src/process/proc-stats";
import { generateFleet } from "./gen-fleet";
import { median } from "./measure";

const args = process.argv.slice(2);
const many = (name: string): string[] => {
  const out: string[] = [];
  for (let i = args.indexOf(name); i >= 0; i = args.indexOf(name)) out.push(args.splice(i, 2)[1]!);
  return out;
};
const one = (name: string, fallback: string) => many(name).pop() ?? fallback;

const binaries = many("--binary").map((b) => resolve(b));
if (binaries.length === 0) binaries.push(resolve(join(import.meta.dir, "../dist/orchestrator")));
const envs = many("--env");
const n = Number(one("--n", "200"));
const interval = one("--interval", "5s");
const windows = Number(one("--windows", "3"));
const seconds = Number(one("--seconds", "30"));
const warmup = Number(one("--warmup", "15"));
const basePort = Number(one("--base-port", "26000"));
const tinyhttp = process.env.TINYHTTP ?? "/tmp/bench-work/tinyhttp";
if (!existsSync(tinyhttp)) throw new Error(`idle-cpu: expected the C service at ${tinyhttp} (bash ../shared/bench/build.sh)`);
for (const b of binaries) if (!existsSync(b)) throw new Error(`idle-cpu: expected the binary ${b} (npm run build)`);
const stride = Math.ceil((n + 2) / 100) * 100;
if (basePort + stride * binaries.length >= 32768) throw new Error(`idle-cpu: ports ${basePort}..${basePort + stride * binaries.length} would reach the ephemeral range`);

interface Sample {
  cpuTicks: number;
  mainSwitches: number;
  /** Voluntary switches per thread id: threads come and go, so windows compare thread by thread. */
  threads: Map<string, number>;
  at: number;
}

/** USS and RssAnon in MiB, as the shared harness reports them. */
function memoryOf(pid: number): { uss: number; anon: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (field: string, text: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0);
  return { uss: (kb("Private_Clean", rollup) + kb("Private_Dirty", rollup)) / 1024, anon: kb("RssAnon", readFileSync(`/proc/${pid}/status`, "utf8")) / 1024 };
}

function switchesOf(statusPath: string): number {
  const m = /voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(statusPath, "utf8"));
  return m ? Number(m[1]) : 0;
}

function sample(pid: number): Sample {
  const stat = readAnyProcStat(pid);
  if (!stat) throw new Error(`idle-cpu: expected orchestrator ${pid} to be running, it is gone`);
  const threads = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(tid, switchesOf(`/proc/${pid}/task/${tid}/status`));
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return { cpuTicks: stat.cpuTicks, mainSwitches: switchesOf(`/proc/${pid}/task/${pid}/status`), threads, at: performance.now() };
}

/** Switches in the window: of the threads alive at both ends, plus all of those that started in it. */
function threadSwitches(a: Sample, b: Sample): number {
  let total = 0;
  for (const [tid, count] of b.threads) total += count - (a.threads.get(tid) ?? 0);
  return total;
}

interface Run {
  label: string;
  dir: string;
  proc: ReturnType<typeof Bun.spawn>;
  api: string;
}

function envFor(index: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of envs) {
    const m = /^(\d+):([A-Z_][A-Z0-9_]*)=(.*)$/.exec(spec);
    if (!m) throw new Error(`idle-cpu: expected --env INDEX:NAME=VALUE, got ${spec}`);
    if (Number(m[1]) === index + 1) out[m[2]!] = m[3]!;
  }
  return out;
}

function start(binary: string, index: number): Run {
  const dir = mkdtempSync(join(tmpdir(), "orch-idle-"));
  const api = basePort + index * stride;
  mkdirSync(join(dir, "bin"));
  copyFileSync(tinyhttp, join(dir, "bin/tinyhttp"));
  generateFleet(n, dir, api + 1, `exec ${join(dir, "bin/tinyhttp")}`);
  writeFileSync(
    join(dir, "orchestrator.yaml"),
    `version: 1\nname: idle-${n}\napi: { host: 127.0.0.1, port: ${api} }\ndiscovery: { roots: [services] }\nstate: { dir: state }\n` +
      `launch: { concurrency: 32, criticalConcurrency: 32 }\ndefaults:\n  health: { interval: ${interval}, timeout: 2s }\n  restart: { backoff: [0ms] }\n`,
  );
  const extra = envFor(index);
  const proc = Bun.spawn([binary, "up", "-c", join(dir, "orchestrator.yaml")], {
    cwd: dir,
    env: { ...process.env, ...extra },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "ignore",
  });
  const label = `#${index + 1} ${binary}${Object.keys(extra).length ? " " + Object.entries(extra).map(([k, v]) => `${k}=${v}`).join(" ") : ""}`;
  return { label, dir, proc, api: `http://127.0.0.1:${api}` };
}

async function healthyCount(run: Run): Promise<number> {
  const list = await fetch(`${run.api}/orchestrator/services`).then((r) => r.json() as Promise<{ state: string }[]>, () => []);
  return Array.isArray(list) ? list.filter((s) => s.state === "healthy").length : 0;
}

console.log(`idle-cpu: ${n} tinyhttp services, probes every ${interval}, ${windows} windows of ${seconds} s after ${warmup} s, ${binaries.length} binaries side by side`);
const runs: Run[] = [];
try {
  for (const [i, b] of binaries.entries()) runs.push(start(b, i));
  await Bun.sleep(warmup * 1000);
  for (const run of runs) {
    const healthy = await healthyCount(run);
    if (healthy !== n) throw new Error(`idle-cpu: expected ${n} healthy services under ${run.label} after ${warmup} s, got ${healthy}`);
  }
  const figures = runs.map(() => ({ cpu: [] as number[], main: [] as number[], all: [] as number[] }));
  for (let w = 0; w < windows; w++) {
    const before = runs.map((r) => sample(r.proc.pid));
    await Bun.sleep(seconds * 1000);
    const after = runs.map((r) => sample(r.proc.pid));
    runs.forEach((run, i) => {
      const a = before[i]!;
      const b = after[i]!;
      const wallS = (b.at - a.at) / 1000;
      const cpu = ((b.cpuTicks - a.cpuTicks) / CLOCK_TICKS_PER_SECOND / wallS) * 100;
      figures[i]!.cpu.push(cpu);
      figures[i]!.main.push((b.mainSwitches - a.mainSwitches) / wallS);
      figures[i]!.all.push(threadSwitches(a, b) / wallS);
      console.log(`  window ${w + 1} ${run.label}: ${cpu.toFixed(3)} % (${b.cpuTicks - a.cpuTicks} ticks), main-thread wake-ups ${((b.mainSwitches - a.mainSwitches) / wallS).toFixed(2)}/s, all threads ${(threadSwitches(a, b) / wallS).toFixed(2)}/s`);
    });
  }
  console.log("median over the windows:");
  runs.forEach((run, i) => {
    const f = figures[i]!;
    const mem = memoryOf(run.proc.pid);
    console.log(`  ${run.label}: ${median(f.cpu).toFixed(3)} % of a core, main-thread wake-ups ${median(f.main).toFixed(2)}/s, all threads ${median(f.all).toFixed(2)}/s; USS ${mem.uss.toFixed(1)} MiB, RssAnon ${mem.anon.toFixed(1)} MiB`);
  });
  if (runs.length > 1) {
    const base = median(figures[0]!.cpu);
    for (let i = 1; i < runs.length; i++) console.log(`  ratio #${i + 1}/#1: ${(median(figures[i]!.cpu) / base).toFixed(2)}`);
  }
} finally {
  for (const run of runs) {
    run.proc.kill("SIGTERM");
    const exited = await Promise.race([run.proc.exited.then(() => true), Bun.sleep(10_000).then(() => false)]);
    if (!exited) run.proc.kill("SIGKILL");
    rmSync(run.dir, { recursive: true, force: true });
  }
}
