/**
 * What a client command costs from the shell: wall time of `BINARY --version` (start-up alone)
 * and `BINARY status` (start-up + /status + /services + the table) against a running
 * orchestrator, the binaries taken in turn, run by run, so drift hits them alike.
 *
 *   bun bench/cli-start.ts --api http://127.0.0.1:25000 [--runs 30] BINARY [BINARY ...]
 *
 * Start the fleet first, e.g. 200 tinyhttp services (bench/gen-fleet.ts) under `up`.
 */
import { median, percentile, takeOption } from "./measure";

const args = process.argv.slice(2);
const take = (name: string, fallback: string) => takeOption(args, name, fallback);
const api = take("--api", "http://127.0.0.1:9000");
const runs = Number(take("--runs", "30"));
const binaries = args;
if (binaries.length === 0) throw new Error("cli-start: expected one or more binaries after the flags");

const wall = (argv: string[]): number => {
  const t0 = performance.now();
  const { exitCode } = Bun.spawnSync(argv, { env: { ...process.env, ORCHESTRATOR_API: api }, stdout: "ignore", stderr: "ignore" });
  if (exitCode !== 0) throw new Error(`cli-start: ${argv.join(" ")} exited ${exitCode}`);
  return performance.now() - t0;
};

const times = new Map(binaries.map((b) => [b, { version: [] as number[], status: [] as number[] }]));
for (let run = -1; run < runs; run++) {
  for (const binary of binaries) {
    const version = wall([binary, "--version"]);
    const status = wall([binary, "status"]);
    if (run < 0) continue; // warm-up: page cache
    times.get(binary)!.version.push(version);
    times.get(binary)!.status.push(status);
  }
}
const fmt = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `median ${median(xs).toFixed(1)} ms, p90 ${percentile(sorted, 90).toFixed(1)} ms`;
};
console.log(`cli-start: ${runs} runs each, API ${api}`);
for (const [binary, t] of times) console.log(`${binary}: --version ${fmt(t.version)}; status ${fmt(t.status)}`);
