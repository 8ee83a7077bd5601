/**
 * What does an HTTP health probe cost the orchestrator? Starts 200 tiny loopback HTTP servers
 * in a child process, then probes them from this process with `fetch` and with a raw
 * `Bun.connect` socket (src/health/http-request.ts), every 5 s staggered like the scheduler
 * would, and in one burst. Reports CPU ms per probe and % of one core (process.cpuUsage).
 *
 *   bun bench/probe-cost.ts [services=200] [rounds=3] [intervalMs=5000]
 *   bun bench/probe-cost.ts [services=200] [bursts=10] 0 burst   # only `socket burst xN`, one line
 */
import { createHttpProbe } from "../src/health/http-probe";
import { requestStatus, type StatusOutcome } from "../src/health/http-request";
import { ProbeScheduler } from "../src/health/scheduler";
import { systemClock } from "../src/lib/clock";

const HOST = "127.0.0.1";

function serveChild(count: number): void {
  const servers = Array.from({ length: count }, () =>
    Bun.serve({ hostname: HOST, port: 0, fetch: () => new Response("ok") }),
  );
  process.stdout.write(JSON.stringify(servers.map((s) => s.port)) + "\n");
  // stdin closes when the measuring process dies, however it dies: no orphaned servers
  void (async () => {
    const stdin = Bun.stdin.stream().getReader();
    while (!(await stdin.read()).done);
    for (const server of servers) server.stop(true);
    process.exit(0);
  })();
}

type Prober = (port: number) => Promise<StatusOutcome>;

const probeWithSocket: Prober = (port) => requestStatus({ host: HOST, port, path: "/health" }, 2000);

const probeWithFetch: Prober = async (port) => {
  try {
    const res = await fetch(`http://${HOST}:${port}/health`, { signal: AbortSignal.timeout(2000), redirect: "manual" });
    await res.body?.cancel();
    return { kind: "status", status: res.status };
  } catch (error) {
    return { kind: "failed", error: String(error) };
  }
};

interface Figures {
  probes: number;
  failures: number;
  cpuMs: number;
  wallMs: number;
}

async function main(): Promise<void> {
  const services = Number(process.argv[2] ?? 200);
  const rounds = Number(process.argv[3] ?? 3);
  const intervalMs = Number(process.argv[4] ?? 5000);
  const child = Bun.spawn([process.execPath, import.meta.path, "serve", String(services)], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  try {
    const ports = await readPorts(child.stdout);
    for (const prober of [probeWithSocket, probeWithFetch]) await runBurst(ports, prober); // warm-up, JIT
    if (process.argv[5] === "burst") {
      const f = await measure(() => runBursts(ports, probeWithSocket, rounds));
      console.log(`socket burst x${rounds}: ${f.probes} probes, ${f.failures} failed, ${(f.cpuMs / f.probes).toFixed(4)} cpu ms/probe`);
      return;
    }
    const idle = await measure(async () => void (await Bun.sleep(intervalMs)));
    const rows: Record<string, Figures> = { idle: { ...idle, probes: 0 } };
    rows["timers only"] = await measure(() => runSteady(ports, null, rounds, intervalMs, ports.length));
    for (const [name, prober] of [["socket", probeWithSocket], ["fetch", probeWithFetch]] as const) {
      rows[`${name} 1 timer/svc`] = await measure(() => runSteady(ports, prober, rounds, intervalMs, ports.length));
      rows[`${name} 250ms tick`] = await measure(() => runSteady(ports, prober, rounds, intervalMs, intervalMs / 250));
      rows[`${name} 1s tick`] = await measure(() => runSteady(ports, prober, rounds, intervalMs, intervalMs / 1000));
      rows[`${name} 1 wave`] = await measure(() => runSteady(ports, prober, rounds, intervalMs, 1));
      rows[`${name} burst x10`] = await measure(() => runBursts(ports, prober, 10));
    }
    rows["ProbeScheduler"] = await measureScheduler(ports, rounds, intervalMs);
    report(rows, services, intervalMs);
  } finally {
    child.kill("SIGKILL");
    await child.exited;
  }
}

async function readPorts(stdout: ReadableStream<Uint8Array>): Promise<number[]> {
  const reader = stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("server child exited before printing its ports");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return JSON.parse(text.slice(0, text.indexOf("\n")));
}

/**
 * Every service probed once per interval, in `groups` waves spread evenly over the interval
 * (groups = services: each on its own timer; fewer groups: probes that fall due close together
 * share one wake-up, as the scheduler's tick does).
 */
async function runSteady(ports: number[], prober: Prober | null, rounds: number, intervalMs: number, groups: number): Promise<Figures> {
  let failures = 0;
  const step = intervalMs / groups;
  const waves = Array.from({ length: groups }, (_, g) => ports.filter((_, i) => i % groups === g));
  await Promise.all(
    waves.map(async (wave, g) => {
      await Bun.sleep(g * step);
      for (let r = 0; r < rounds; r++) {
        const started = performance.now();
        if (prober) failures += (await Promise.all(wave.map(prober))).filter((o) => !isHealthy(o)).length;
        if (r < rounds - 1) await Bun.sleep(Math.max(0, intervalMs - (performance.now() - started)));
      }
    }),
  );
  return { probes: ports.length * rounds, failures, cpuMs: 0, wallMs: 0 };
}

async function runBurst(ports: number[], prober: Prober): Promise<Figures> {
  const results = await Promise.all(ports.map(prober));
  return { probes: ports.length, failures: results.filter((r) => !isHealthy(r)).length, cpuMs: 0, wallMs: 0 };
}

/**
 * The real thing: ProbeScheduler (steady mode, on the multiples of the interval) driving http-probe.ts. Services are
 * started at staggered times first; only the steady state after that is measured.
 */
async function measureScheduler(ports: number[], rounds: number, intervalMs: number): Promise<Figures> {
  const scheduler = new ProbeScheduler(systemClock);
  let probes = 0;
  let failures = 0;
  const onResult = (r: { ok: boolean }) => {
    probes++;
    if (!r.ok) failures++;
  };
  for (const [i, port] of ports.entries()) {
    scheduler.start(`svc-${i}`, createHttpProbe({ host: HOST, port, endpoints: ["/health"] }), { intervalMs, timeoutMs: 2000 }, onResult, "steady");
    await Bun.sleep(intervalMs / ports.length);
  }
  await Bun.sleep(intervalMs);
  probes = failures = 0;
  const figures = await measure(async () => void (await Bun.sleep(intervalMs * rounds)));
  scheduler.stopAll();
  return { ...figures, probes, failures };
}

async function runBursts(ports: number[], prober: Prober, times: number): Promise<Figures> {
  const total: Figures = { probes: 0, failures: 0, cpuMs: 0, wallMs: 0 };
  for (let i = 0; i < times; i++) {
    const one = await runBurst(ports, prober);
    total.probes += one.probes;
    total.failures += one.failures;
  }
  return total;
}

function isHealthy(outcome: StatusOutcome): boolean {
  return outcome.kind === "status" && outcome.status < 400;
}

async function measure(run: () => Promise<Partial<Figures> | void>): Promise<Figures> {
  Bun.gc(true);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const result = (await run()) ?? {};
  const cpu = process.cpuUsage(cpu0);
  return {
    probes: result.probes ?? 0,
    failures: result.failures ?? 0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: performance.now() - wall0,
  };
}

function report(rows: Record<string, Figures>, services: number, intervalMs: number): void {
  const idleCorePct = (rows.idle.cpuMs / rows.idle.wallMs) * 100;
  console.log(`services=${services} interval=${intervalMs}ms  (idle process: ${idleCorePct.toFixed(3)} % core)`);
  console.log("variant            probes  fail   cpu ms   wall ms   ms/probe   % core   % core at 200 svc / 5 s");
  for (const [name, f] of Object.entries(rows)) {
    if (name === "idle") continue;
    const perProbe = f.cpuMs / f.probes;
    const corePct = (f.cpuMs / f.wallMs) * 100;
    const projected = ((perProbe * 200) / 5000) * 100;
    console.log(
      `${name.padEnd(18)} ${String(f.probes).padStart(6)} ${String(f.failures).padStart(5)} ${f.cpuMs.toFixed(1).padStart(8)} ` +
        `${f.wallMs.toFixed(0).padStart(9)} ${perProbe.toFixed(4).padStart(10)} ${corePct.toFixed(3).padStart(8)} ${projected.toFixed(3).padStart(10)}`,
    );
  }
}

if (process.argv[2] === "serve") serveChild(Number(process.argv[3] ?? 200));
else await main();
