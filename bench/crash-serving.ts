// Measurement, not a test: kill -9 of services of a 200-service tinyhttp fleet, one at a time, and the time until
// each port answers from a new pid (probed every 1 ms), for each BINARY (default dist/orchestrator). The binaries take
// turns, ROUNDS rounds of 10 kills each (drift on a shared machine hits them alike); medians over all kills printed.
//   bun bench/crash-serving.ts [--rounds 2] [BINARY...]   (needs /tmp/bench-work/tinyhttp: bash ../shared/bench/build.sh; ports 27400-27600)
import { generateFleet } from "./gen-fleet";
import { mkdirSync, copyFileSync, rmSync } from "node:fs";
const args = process.argv.slice(2);
const at = args.indexOf("--rounds");
const rounds = at >= 0 ? Number(args.splice(at, 2)[1]) : 1;
const bins = args.length > 0 ? args : [`${import.meta.dir}/../dist/orchestrator`];
const dir = "/tmp/crashfleet"; rmSync(dir, { recursive: true, force: true }); mkdirSync(`${dir}/bin`, { recursive: true });
copyFileSync("/tmp/bench-work/tinyhttp", `${dir}/bin/tinyhttp`); Bun.spawnSync(["chmod", "+x", `${dir}/bin/tinyhttp`]);
generateFleet(200, dir, 27401, `exec ${dir}/bin/tinyhttp`);
Bun.write(`${dir}/orchestrator.yaml`, `version: 1\nname: c\napi: { port: 27400 }\ndiscovery: { roots: [services] }\nstate: { dir: state }\nlaunch: { concurrency: 32, criticalConcurrency: 32 }\ndefaults: { restart: { backoff: [0ms] }, health: { interval: 5s, timeout: 2s } }\n`);
const api = "http://127.0.0.1:27400/orchestrator";
const pidOf = async (port: number) => { try { const r = await fetch(`http://127.0.0.1:${port}/`); return Number(r.headers.get("x-pid")); } catch { return 0; } };
const times = new Map<string, number[]>(bins.map((bin) => [bin, []]));
for (let round = 0; round < rounds; round++) {
  for (const bin of bins) {
    rmSync(`${dir}/state`, { recursive: true, force: true });
    const p = Bun.spawn([bin, "up"], { cwd: dir, stdout: "ignore", stderr: "ignore" });
    try {
      for (;;) { try { const s = await (await fetch(`${api}/status`)).json() as any; if (s.state === "ready") break; } catch {} await Bun.sleep(100); }
      await Bun.sleep(1000);
      for (let i = 0; i < 10; i++) {
        const port = 27401 + 3 + i * 20;
        const pid = await pidOf(port);
        if (!(pid > 0)) throw new Error(`crash-serving: expected a pid from port ${port}, got none`); // never kill(0)
        const t0 = performance.now();
        process.kill(pid, "SIGKILL");
        for (;;) { const now = await pidOf(port); if (now && now !== pid) break; await Bun.sleep(1); }
        times.get(bin)!.push(performance.now() - t0);
        await Bun.sleep(300);
      }
    } finally {
      p.kill("SIGTERM"); await p.exited;
    }
  }
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
for (const [bin, xs] of times) console.log(bin, "crash->serving ms", [...xs].sort((a, b) => a - b).map((t) => t.toFixed(1)).join(" "), "median", median(xs).toFixed(1));
