/**
 * `orchestrator check` on a generated N-service discovered fleet, run as the compiled
 * binary; prints the median, min and max wall time over RUNS runs (after one warm-up).
 *   npm run build && bun bench/check-bench.ts [N=1000] [RUNS=15]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateFleet } from "./gen-fleet";

const n = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 15);
const binary = resolve(import.meta.dir, "../dist/orchestrator");
const dir = mkdtempSync(join(tmpdir(), "orch-check-bench-"));
try {
  generateFleet(n, dir);
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const proc = Bun.spawnSync([binary, "check"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    const ms = performance.now() - t0;
    if (proc.exitCode !== 0) throw new Error(`check failed (${proc.exitCode}): ${proc.stderr.toString().slice(0, 500)}`);
    if (i > 0) times.push(ms); // the first run warms the page cache
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(JSON.stringify({ services: n, runs, medianMs: +median.toFixed(1), minMs: +times[0].toFixed(1), maxMs: +times[times.length - 1].toFixed(1) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
