// Measurement, not a test: SIGTERM -> exit of BINARY (default dist/orchestrator) running a 200-service tinyhttp
// fleet, 3 runs, the median printed.   bun bench/shutdown-time.ts [BINARY]   (needs /tmp/bench-work/tinyhttp)
import { generateFleet } from "./gen-fleet";
import { mkdirSync, copyFileSync, rmSync } from "node:fs";
const bin = process.argv[2] ?? `${import.meta.dir}/../dist/orchestrator`;
const dir = "/tmp/shutfleet"; rmSync(dir, { recursive: true, force: true }); mkdirSync(`${dir}/bin`, { recursive: true });
copyFileSync("/tmp/bench-work/tinyhttp", `${dir}/bin/tinyhttp`); Bun.spawnSync(["chmod", "+x", `${dir}/bin/tinyhttp`]);
generateFleet(200, dir, 27001, `exec ${dir}/bin/tinyhttp`);
const times: number[] = [];
for (let r = 0; r < 3; r++) {
  rmSync(`${dir}/state`, { recursive: true, force: true });
  const p = Bun.spawn([bin, "up"], { cwd: dir, stdout: "pipe", stderr: "ignore" });
  const reader = p.stdout.getReader(); let text = "";
  while (!text.includes("SYSTEM READY")) { const { value, done } = await reader.read(); if (done) break; text += new TextDecoder().decode(value); if (text.length > 1e6) text = text.slice(-1000); }
  void (async () => { for (;;) { const { done } = await reader.read(); if (done) return; } })();
  await Bun.sleep(3000);
  const t0 = performance.now(); p.kill("SIGTERM"); await p.exited; times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(bin, "shutdown ms", times.map((t) => t.toFixed(0)).join(" "), "median", times[1]!.toFixed(0));
