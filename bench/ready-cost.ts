// Measurements, not tests: `bun bench/ready-cost.ts [RUNS=100] [SERVICES=200]`. SPEC §14:
// 1. the time from a service's READY=1 datagram (and from its matching log line) to the spawn
//    of its dependent, median of RUNS launches (a real Supervisor, BunSpawner, real processes;
//    both times are wall clock, the service's taken right before it sends);
// 2. the idle CPU of the orchestrator process over 10 s with SERVICES services waiting on
//    `ready: { notify: systemd }` (no probe) against SERVICES ready services probed over HTTP
//    every 1 s (the default 5 s interval would flatter the probes), from /proc/self/stat. Both
//    run `sleep`; the HTTP endpoints are one helper process's, outside the measurement.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EventBody, OrchestratorEvent } from "../src/contract/events";
import type { ServiceConfig } from "../src/contract/config";
import { createProbe } from "../src/health/create-probe";
import { systemClock } from "../src/lib/clock";
import { BunSpawner } from "../src/process/bun-spawner";
import type { SpawnSpec } from "../src/process/spawner";
import { Supervisor } from "../src/supervisor/supervisor";
import { makeConfig, makeService } from "../test/graph/make-service";

const RUNS = Number(process.argv[2] ?? 100);
const SERVICES = Number(process.argv[3] ?? 200);
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
const announcer = [process.execPath, join(import.meta.dir, "ready-announcer.ts")];
const now = () => performance.timeOrigin + performance.now();
const NO_PROBE = { check: null, intervalMs: 1000, timeoutMs: 1000, failureThreshold: 3 };
let seq = 0;
const sink = { emit: (body: EventBody) => ({ ...body, seq: ++seq, ts: Date.now() }) as OrchestratorEvent };

class TimedSpawner extends BunSpawner {
  readonly spawnedAt = new Map<string, number>();
  override spawn(spec: SpawnSpec, ...rest: Parameters<BunSpawner["spawn"]> extends [unknown, ...infer R] ? R : never) {
    this.spawnedAt.set(spec.name, now());
    return super.spawn(spec, ...rest);
  }
}

function supervise(services: ServiceConfig[], spawner: BunSpawner, onOutput?: (name: string, line: string) => void): Supervisor {
  return new Supervisor({
    config: makeConfig(services, Math.max(10, services.length)),
    spawner,
    clock: systemClock,
    sink,
    processEnv: env,
    createProbe: (s) => createProbe(s.health.check, { port: s.port, cwd: s.cwd, env: s.env, clock: systemClock }),
    onOutput: (name, _stream, line) => onOutput?.(name, line),
  });
}

async function latency(via: "notify" | "log"): Promise<number[]> {
  const samples: number[] = [];
  const ready: ServiceConfig["ready"] = via === "notify" ? { kind: "systemd" } : { kind: "log", pattern: "^ready now$" };
  for (let i = 0; i < RUNS; i++) {
    const spawner = new TimedSpawner();
    let sentAt = 0;
    const db = makeService("db", { command: announcer, cwd: import.meta.dir, env: { VIA: via }, health: NO_PROBE, ready });
    const web = makeService("web", { command: ["sleep", "60"], cwd: "/tmp", health: NO_PROBE, dependsOn: ["db"] });
    const supervisor = supervise([db, web], spawner, (name, line) => void (name === "db" && line.startsWith("at ") && (sentAt = Number(line.slice(3)))));
    void supervisor.start();
    while (!spawner.spawnedAt.has("web")) await Bun.sleep(1);
    samples.push(spawner.spawnedAt.get("web")! - sentAt);
    await supervisor.shutdown();
    spawner.close();
  }
  return samples.sort((a, b) => a - b);
}

function cpuTicks(): number {
  const fields = readFileSync("/proc/self/stat", "latin1").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime, 1/100 s
}

// The HTTP services' endpoints: one helper process answering on SERVICES ports, so 200 services
// cost 200 `sleep`s, not 200 HTTP servers; only the orchestrator's own probing is measured.
const PORT_BASE = 21000;
const answerer = Bun.spawn([process.execPath, "-e", `for (let i = 0; i < ${SERVICES}; i++) Bun.serve({ hostname: "127.0.0.1", port: ${PORT_BASE} + i, fetch: () => new Response("ok") }); console.log("up");`], { stdout: "pipe" });
await new Response(answerer.stdout).body!.getReader().read();

async function idleCpu(kind: "notify" | "http"): Promise<number> {
  const spawner = new BunSpawner();
  const services: ServiceConfig[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const base = { command: ["sleep", "600"], cwd: "/tmp", startupTimeoutMs: 600_000 };
    if (kind === "notify") services.push(makeService(`n${i}`, { ...base, health: NO_PROBE, ready: { kind: "systemd" } }));
    else {
      const check = { kind: "http" as const, path: "/health", endpoints: ["/health"], port: PORT_BASE + i, host: "127.0.0.1" };
      services.push(makeService(`h${i}`, { ...base, health: { check, intervalMs: 1000, timeoutMs: 1000, failureThreshold: 3 } }));
    }
  }
  const supervisor = supervise(services, spawner);
  void supervisor.start();
  const settled = () => supervisor.snapshot({ history: false }).services.every((s) => (kind === "notify" ? s.state === "starting" && s.pid !== null : s.state === "healthy"));
  while (!settled()) await Bun.sleep(100);
  await Bun.sleep(2000); // spawn and start-up work done
  const t0 = cpuTicks();
  await Bun.sleep(10_000);
  const ticks = cpuTicks() - t0;
  await supervisor.shutdown();
  spawner.close();
  return ticks / 10; // % of one core: ticks of 1/100 s over 10 s
}

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
const show = (label: string, xs: number[]) => console.log(`${label}: median ${median(xs).toFixed(2)} ms, p90 ${xs[Math.floor(xs.length * 0.9)]!.toFixed(2)} ms, min ${xs[0]!.toFixed(2)} ms, max ${xs.at(-1)!.toFixed(2)} ms (${xs.length} launches)`);
show("READY=1 datagram -> dependent spawned", await latency("notify"));
show("matching log line -> dependent spawned", await latency("log"));
console.log(`idle CPU, ${SERVICES} services waiting on notify: systemd: ${(await idleCpu("notify")).toFixed(2)} % of one core`);
console.log(`idle CPU, ${SERVICES} services probed over HTTP every 1 s: ${(await idleCpu("http")).toFixed(2)} % of one core`);
answerer.kill();
