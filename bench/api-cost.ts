/**
 * What one API read costs the orchestrator, binary against binary: each binary in turn runs
 * the same fleet (`up -c CONFIG` in FLEET_DIR), and once all services are healthy this reads
 *   - server CPU per request (utime+stime of the orchestrator over 1,000 keep-alive requests),
 *   - the time to the first byte on a fresh connection (median of 30, as a client command sees it),
 *   - `BINARY status` from the shell (median of 20: start-up, /status, /services, the table),
 * for /orchestrator/status and /orchestrator/services. Rounds alternate the binaries so drift
 * on the shared machine hits them alike.
 *
 *   bun bench/api-cost.ts --fleet /tmp/f200 --config np.yaml --api http://127.0.0.1:25000 [--rounds 3] BINARY [BINARY ...]
 *
 * The fleet: e.g. 200 tinyhttp services (bench/gen-fleet.ts) with probes every 5 s.
 */
import { readFileSync } from "node:fs";
import { median, takeOption, waitFleetReady } from "./measure";

const args = process.argv.slice(2);
const take = (name: string, fallback: string) => takeOption(args, name, fallback);
const fleet = take("--fleet", "/tmp/f200");
const config = take("--config", "orchestrator.yaml");
const api = take("--api", "http://127.0.0.1:25000");
const rounds = Number(take("--rounds", "3"));
const binaries = args;
if (binaries.length === 0) throw new Error("api-cost: expected one or more binaries after the flags");

const cpuTicks = (pid: number): number => {
  const text = readFileSync(`/proc/${pid}/stat`, "latin1");
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
};

async function cpuPerRequest(pid: number, path: string, n = 1000): Promise<number> {
  for (let i = 0; i < 100; i++) await (await fetch(api + path)).arrayBuffer();
  const t0 = cpuTicks(pid);
  for (let i = 0; i < n; i++) await (await fetch(api + path)).arrayBuffer();
  return ((cpuTicks(pid) - t0) * 10) / n;
}

async function firstByte(path: string, n = 30): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(api + path, { keepalive: false });
    times.push(performance.now() - t0);
    await res.arrayBuffer();
    await Bun.sleep(20);
  }
  return median(times);
}

function statusCommand(binary: string, n = 20): number {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const { exitCode } = Bun.spawnSync([binary, "status"], { env: { ...process.env, ORCHESTRATOR_API: api }, stdout: "ignore", stderr: "ignore" });
    times.push(performance.now() - t0);
    if (exitCode !== 0) throw new Error(`api-cost: ${binary} status exited ${exitCode}`);
  }
  return median(times);
}

type Figures = Record<string, number[]>;
const results = new Map<string, Figures>(binaries.map((b) => [b, {}]));
const add = (binary: string, key: string, value: number) => ((results.get(binary)![key] ??= []).push(value));

for (let round = 0; round < rounds; round++) {
  for (const binary of binaries) {
    const proc = Bun.spawn([binary, "up", "-c", config], { cwd: fleet, stdout: "ignore", stderr: "ignore" });
    try {
      await waitFleetReady(api, "api-cost");
      await Bun.sleep(3000);
      for (const path of ["/orchestrator/status", "/orchestrator/services"]) {
        add(binary, `${path} cpu ms/req`, await cpuPerRequest(proc.pid, path));
        add(binary, `${path} first byte ms`, await firstByte(path));
      }
      add(binary, "status command ms", statusCommand(binary));
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  }
}

console.log(`api-cost: ${rounds} rounds, fleet ${fleet} (${config}), API ${api}`);
for (const [binary, figures] of results) {
  console.log(binary);
  for (const [key, values] of Object.entries(figures)) console.log(`  ${key}: median ${median(values).toFixed(3)} (${values.map((v) => v.toFixed(3)).join(", ")})`);
}
