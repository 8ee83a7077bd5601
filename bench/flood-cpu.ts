// Measurement, not a test: what reading one flooding service costs this process, in CPU per
// second of flood, at the default 16 MiB/s cap (`bun bench/flood-cpu.ts [seconds] [capMiB]`,
// capMiB 0 = no cap). Prints one line: MiB/s read, lines/s, our CPU ms/s (user+system, all
// threads; the flooding child's own CPU is not in it). Run it on two trees to compare.
import { BunSpawner } from "../src/process/bun-spawner";
import { fixtureCommand } from "../test/helpers/processes";

const seconds = Number(process.argv[2] ?? 3);
const capMiB = Number(process.argv[3] ?? 16);
const spawner = new BunSpawner({ maxOutputBytesPerSecond: capMiB * 1024 * 1024 });
const env = { ...(process.env as Record<string, string>), FLOOD_MS: String(seconds * 1000) };
let lines = 0;
let bytes = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const child = spawner.spawn({ name: "flood", command: fixtureCommand("flood-stdout.ts"), cwd: import.meta.dir, env }, (_stream, line) => {
  lines++;
  bytes += line.length + 1;
});
await child.exited;
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
spawner.close();
console.log(
  `flood ${capMiB ? `${capMiB} MiB/s cap` : "no cap"}: ${(bytes / 1024 / 1024 / elapsed).toFixed(1)} MiB/s, ${Math.round(lines / elapsed).toLocaleString()} lines/s, ` +
    `our CPU ${((cpu.user + cpu.system) / 1000 / elapsed).toFixed(0)} ms/s`,
);
