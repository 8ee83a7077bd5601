/**
 * The latency tail of API reads under load, binary against binary: each binary in turn runs
 * the same fleet (`up -c CONFIG` in FLEET_DIR); once it is ready and has settled, wrk (Debian's
 * `wrk`) reads /orchestrator/services, then /orchestrator/status, for 10 s each over 10
 * keep-alive connections, every connection waiting 20 ms after each answer: about 480 req/s,
 * the 500. It prints wrk's p50/p90/p99 and the rate reached. `--floor` first measures a
 * bare Bun.serve answering "ok" the same way: what wrk and the shared machine cost by themselves.
 *
 *   bun bench/api-p99.ts --fleet /tmp/f200 --config orchestrator.yaml --api http://127.0.0.1:25000 [--rounds 2] [--floor] BINARY [BINARY ...]
 *
 * Why wrk, not autocannon: autocannon (node) shares the 2 cores and its own p99 on the bare
 * server is 9–12 ms, the size of the target; wrk's is under 1 ms (docs/BENCHMARKS.md "API reads").
 * wrk is closed-loop (no coordinated-omission correction, as wrk2 would do): a stall delays the
 * requests behind it instead of counting them late, so a tail here is a lower bound.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { takeOption, waitFleetReady } from "./measure";

const args = process.argv.slice(2);
const take = (name: string, fallback: string) => takeOption(args, name, fallback);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args.splice(i, 1), true) : false;
};
const fleet = take("--fleet", "/tmp/f200");
const config = take("--config", "orchestrator.yaml");
const api = take("--api", "http://127.0.0.1:25000");
const rounds = Number(take("--rounds", "2"));
const floor = flag("--floor");
const binaries = args;
if (binaries.length === 0 && !floor) throw new Error("api-p99: expected --floor or one or more binaries after the flags");
if (Bun.spawnSync(["sh", "-c", "command -v wrk"]).exitCode !== 0) throw new Error("api-p99: needs wrk (apt-get install wrk)");

const script = join(mkdtempSync(join(tmpdir(), "api-p99-")), "pace.lua");
writeFileSync(script, "function delay()\n  return 20\nend\n");

interface Tail {
  p50: number;
  p90: number;
  p99: number;
  rate: number;
  errors: number;
}

/** wrk prints latencies as 1.23ms / 456.78us / 1.02s. */
const toMs = (text: string): number => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
};

function wrk(url: string): Tail {
  const run = Bun.spawnSync(["wrk", "-t1", "-c10", "-d10s", "--latency", "-s", script, url], { stdout: "pipe", stderr: "pipe" });
  const out = run.stdout.toString();
  const pct = (p: string) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(out)?.[1] ?? "");
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?(\d+)/.exec(out)?.[1] ?? 0);
  if (run.exitCode !== 0 || Number.isNaN(rate)) throw new Error(`api-p99: wrk failed on ${url}:\n${out}${run.stderr.toString()}`);
  return { p50: pct("50"), p90: pct("90"), p99: pct("99"), rate, errors };
}

const line = (label: string, path: string, t: Tail) =>
  console.log(`${label}  ${path}  p50 ${t.p50.toFixed(2)} ms  p90 ${t.p90.toFixed(2)} ms  p99 ${t.p99.toFixed(2)} ms  ${t.rate.toFixed(0)} req/s  errors ${t.errors}`);

if (floor) {
  // in its own process: wrk is run synchronously here, which would stall a server in this one
  const server = Bun.spawn([process.execPath, "-e", `const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") }); console.log(s.port);`], { stdout: "pipe" });
  try {
    const reader = server.stdout.getReader();
    const port = Number(new TextDecoder().decode((await reader.read()).value).trim());
    line("bare Bun.serve", "/", wrk(`http://127.0.0.1:${port}/`));
  } finally {
    server.kill("SIGTERM");
    await server.exited;
  }
}

for (let round = 0; round < rounds; round++) {
  for (const binary of binaries) {
    const proc = Bun.spawn([binary, "up", "-c", config], { cwd: fleet, stdout: "ignore", stderr: "ignore" });
    try {
      await waitFleetReady(api, "api-p99");
      await Bun.sleep(5000);
      for (const path of ["/orchestrator/services", "/orchestrator/status"]) line(`round ${round + 1} ${binary}`, path, wrk(api + path));
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  }
}
