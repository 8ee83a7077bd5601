// Measurement, not a test: SIGTERM -> exit of each BINARY (default dist/orchestrator) running a 200-service tinyhttp
// fleet; RUNS runs per binary, the binaries alternated run by run (so drift on a shared machine hits them alike), medians printed.
//   bun bench/shutdown-time.ts [--runs 5] [BINARY...]   (needs /tmp/bench-work/tinyhttp; ports 27000-27200)
import { generateFleet } from "./gen-fleet";
import { mkdirSync, copyFileSync, rmSync } from "node:fs";
const args = process.argv.slice(2);
const at = args.indexOf("--runs");
const runs = at >= 0 ? Number(args.splice(at, 2)[1]) : 5;
const bins = args.length > 0 ? args : [`${import.meta.dir}/../dist/orchestrator`];
const dir = "/tmp/shutfleet"; rmSync(dir, { recursive: true, force: true }); mkdirSync(`${dir}/bin`, { recursive: true });
copyFileSync("/tmp/bench-work/tinyhttp", `${dir}/bin/tinyhttp`); Bun.spawnSync(["chmod", "+x", `${dir}/bin/tinyhttp`]);
generateFleet(200, dir, 27001, `exec ${dir}/bin/tinyhttp`);
const times = new Map<string, number[]>(bins.map((bin) => [bin, []]));
for (let r = 0; r < runs; r++) {
  for (const bin of bins) {
    rmSync(`${dir}/state`, { recursive: true, force: true });
    const p = Bun.spawn([bin, "up"], { cwd: dir, stdout: "pipe", stderr: "ignore" });
    const reader = p.stdout.getReader(); let text = "";
    while (!text.includes("SYSTEM READY")) { const { value, done } = await reader.read(); if (done) break; text += new TextDecoder().decode(value); if (text.length > 1e6) text = text.slice(-1000); }
    void (async () => { for (;;) { const { done } = await reader.read(); if (done) return; } })();
    await Bun.sleep(3000);
    const t0 = performance.now(); p.kill("SIGTERM"); await p.exited; times.get(bin)!.push(performance.now() - t0);
  }
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
for (const [bin, xs] of times) console.log(bin, "shutdown ms", xs.map((t) => t.toFixed(0)).join(" "), "median", median(xs).toFixed(0));
