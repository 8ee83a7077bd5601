// Measurement, not a test: kill -9 of 10 services of a 200-service tinyhttp fleet, one at a time, and the
// time until each port answers from a new pid (probed every 1 ms), against BINARY (default dist/orchestrator).
//   bun bench/crash-serving.ts [BINARY]   (needs /tmp/bench-work/tinyhttp: bash ../shared/bench/build.sh)
import { generateFleet } from "./gen-fleet";
import { mkdirSync, copyFileSync, rmSync } from "node:fs";
const bin = process.argv[2] ?? `${import.meta.dir}/../dist/orchestrator`;
const dir = "/tmp/crashfleet"; rmSync(dir, { recursive: true, force: true }); mkdirSync(`${dir}/bin`, { recursive: true });
copyFileSync("/tmp/bench-work/tinyhttp", `${dir}/bin/tinyhttp`); Bun.spawnSync(["chmod", "+x", `${dir}/bin/tinyhttp`]);
generateFleet(200, dir, 27401, `exec ${dir}/bin/tinyhttp`);
Bun.write(`${dir}/orchestrator.yaml`, `version: 1\nname: c\napi: { port: 27400 }\ndiscovery: { roots: [services] }\nstate: { dir: state }\nlaunch: { concurrency: 32, criticalConcurrency: 32 }\ndefaults: { restart: { backoff: [0ms] }, health: { interval: 5s, timeout: 2s } }\n`);
const p = Bun.spawn([bin, "up"], { cwd: dir, stdout: "ignore", stderr: "ignore" });
const api = "http://127.0.0.1:27400/orchestrator";
for (;;) { try { const s = await (await fetch(`${api}/status`)).json() as any; if (s.state === "ready") break; } catch {} await Bun.sleep(100); }
await Bun.sleep(1000);
const pidOf = async (port: number) => { try { const r = await fetch(`http://127.0.0.1:${port}/`); return Number(r.headers.get("x-pid")); } catch { return 0; } };
const times: number[] = [];
for (let i = 0; i < 10; i++) {
  const port = 27401 + 3 + i * 20;
  const pid = await pidOf(port);
  const t0 = performance.now();
  process.kill(pid, "SIGKILL");
  for (;;) { const now = await pidOf(port); if (now && now !== pid) break; await Bun.sleep(1); }
  times.push(performance.now() - t0);
  await Bun.sleep(300);
}
times.sort((a, b) => a - b);
console.log(bin, "crash->serving ms", times.map((t) => t.toFixed(1)).join(" "), "median", ((times[4]! + times[5]!) / 2).toFixed(1));
p.kill("SIGTERM"); await p.exited;
