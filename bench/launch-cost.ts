/**
 * Where a cold start goes, from the orchestrator's side: launches the compiled binary on a
 * generated fleet of N tinyhttp services (bench/gen-fleet.ts) R times and reports, per run,
 *   - process start -> first `starting` event, and first `starting` -> last `healthy` event
 *     (timestamps from the orchestrator's own event store, so no checker competes for CPU);
 *   - the orchestrator's CPU time (utime+stime) when the last service turned healthy: when it
 *     is close to the wall time, the launch is CPU-bound in the orchestrator;
 *   - spawn -> healthy per service (p10/p50/p90/max);
 *   - RSS 3 s after start, split into anonymous and file-backed pages.
 *
 *   bun bench/launch-cost.ts [N=200] [RUNS=5] [--binary dist/orchestrator] [--concurrency 32] [--base-port 24000]
 *
 * Needs the shared harness's C service (`bash ../shared/bench/build.sh` ->
 * /tmp/bench-work/tinyhttp, or TINYHTTP=path).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CLOCK_TICKS_PER_SECOND, readAnyProcStat } from "../src/process/proc-stats";
import { generateFleet } from "./gen-fleet";
import { median, percentile, procStatusMiB } from "./measure";

interface EventRow {
  seq: number;
  ts: number;
  type: string;
  payload: { name?: string; to?: string };
}

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args.splice(i, 2)[1]! : fallback;
};
const binary = resolve(flag("--binary", join(import.meta.dir, "../dist/orchestrator")));
const concurrency = Number(flag("--concurrency", "32"));
const n = Number(args[0] ?? 200);
const runs = Number(args[1] ?? 5);
const tinyhttp = process.env.TINYHTTP ?? "/tmp/bench-work/tinyhttp";
if (!existsSync(tinyhttp)) throw new Error(`launch-cost: expected the C service at ${tinyhttp} (bash ../shared/bench/build.sh)`);
if (!existsSync(binary)) throw new Error(`launch-cost: expected ${binary} (npm run build)`);

const dir = mkdtempSync(join(tmpdir(), "orch-launch-"));
const base = Number(flag("--base-port", "24000")); // below the ephemeral range (32768+), where client sockets would collide
mkdirSync(join(dir, "bin"));
copyFileSync(tinyhttp, join(dir, "bin/tinyhttp"));
generateFleet(n, dir, base + 1, `exec ${join(dir, "bin/tinyhttp")}`);
const api = `http://127.0.0.1:${base}`;
const cpuMs = (pid: number) => {
  const stat = readAnyProcStat(pid);
  return stat ? (stat.cpuTicks * 1000) / CLOCK_TICKS_PER_SECOND : NaN;
};

console.log(`launch-cost: ${n} tinyhttp services, ${runs} runs, ${binary}, launch.concurrency ${concurrency}`);
const totals: { toFirst: number; launch: number; cpu: number; rss: number }[] = [];
try {
  for (let run = 0; run < runs; run++) {
    rmSync(join(dir, "state"), { recursive: true, force: true });
    writeFileSync(
      join(dir, "orchestrator.yaml"),
      `version: 1\nname: launch-${n}\napi: { host: 127.0.0.1, port: ${base} }\ndiscovery: { roots: [services] }\nstate: { dir: state }\n` +
        `launch: { concurrency: ${concurrency}, criticalConcurrency: ${concurrency} }\ndefaults:\n  health: { interval: 5s, timeout: 2s }\n  restart: { backoff: [0ms] }\n`,
    );
    const t0 = Date.now();
    const proc = Bun.spawn([binary, "up", "-c", join(dir, "orchestrator.yaml")], { cwd: dir, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    try {
      // The CPU figure wants the moment the last service turned healthy; poll the API cheaply.
      let cpuAtReady = NaN;
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await Bun.sleep(5)) {
        const state = await fetch(`${api}/orchestrator/status`).then((r) => r.json() as Promise<{ state: string }>, () => null);
        if (state?.state === "ready") {
          cpuAtReady = cpuMs(proc.pid);
          break;
        }
      }
      await Bun.sleep(Math.max(0, t0 + 3000 - Date.now()));
      const [rss, anon, file] = ["VmRSS", "RssAnon", "RssFile"].map((field) => procStatusMiB(proc.pid, field)) as [number, number, number];
      const events = (await fetch(`${api}/orchestrator/events?since=0&limit=10000`).then((r) => r.json())) as EventRow[];
      const started = new Map<string, number>();
      const spans: number[] = [];
      let first = Infinity;
      let last = 0;
      for (const e of events) {
        if (e.type !== "service" || !e.payload.name) continue;
        if (e.payload.to === "starting") {
          started.set(e.payload.name, e.ts);
          first = Math.min(first, e.ts);
        } else if (e.payload.to === "healthy" && started.has(e.payload.name)) {
          spans.push(e.ts - started.get(e.payload.name)!);
          last = Math.max(last, e.ts);
        }
      }
      spans.sort((a, b) => a - b);
      totals.push({ toFirst: first - t0, launch: last - first, cpu: cpuAtReady, rss });
      console.log(
        `run ${run + 1}: start->first spawn ${first - t0} ms, first spawn->last healthy ${last - first} ms (${spans.length} healthy), ` +
          `CPU at ready ${cpuAtReady} ms; spawn->healthy p10 ${percentile(spans, 10)} p50 ${percentile(spans, 50)} p90 ${percentile(spans, 90)} max ${spans.at(-1)} ms; ` +
          `RSS at 3 s ${rss.toFixed(1)} MiB (anon ${anon.toFixed(1)}, file ${file.toFixed(1)})`,
      );
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `median: start->first spawn ${median(totals.map((t) => t.toFirst))} ms, launch ${median(totals.map((t) => t.launch))} ms, ` +
    `CPU at ready ${median(totals.map((t) => t.cpu))} ms, RSS ${median(totals.map((t) => t.rss)).toFixed(1)} MiB`,
);
