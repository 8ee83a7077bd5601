/**
 * Chaos: run N services under the compiled binary, send K random `kill -9`s over D seconds
 * while the API is under load, then check the invariants:
 *   - every service is healthy again and the system is `ready`;
 *   - each service's `restarts` equals the kills it received, and so do its `restarted`
 *     (and `detected`) healing events; no escalation, quarantine, breaker or give-up;
 *   - GET /orchestrator/events?since=0 pages through strictly consecutive seqs, up to the
 *     orchestrator's own lastSeq;
 *   - the load loop saw no non-2xx answer and no failed request;
 *   - SIGTERM exits 0 and leaves no process behind: nothing whose /proc/PID/exe is the
 *     fleet's private binary, and none of the orchestrator's descendants seen during the run.
 * It reports RSS growth, kills/s and the load's request count and latency.
 * `--kills 0` only watches the fleet for --seconds and `--rate 0` sends no load, so the same
 * runner measures the RSS of a quiet fleet, of API load alone, and of kills alone.
 *
 *   bun bench/chaos.ts [--services 200] [--kills 1000] [--seconds 180] [--rate 200] [--seed N]
 *                      [--binary PATH | --bun-service] [--orchestrator PATH] [--keep]
 *                      [--mixed [--proxy-rate 20]] [--port-base N] [--settle-minutes 10]
 *
 * `--mixed` (as root, with PostgreSQL 15, redis and nginx installed) runs the fleet of
 * bench/soak-mixed.ts instead: the real programs of docs/RECIPES.md, `--services` tinyhttp
 * (default 100), a replica group behind the built-in proxy and an alert receiver; one kill
 * every 3 s by default, picked by kind; on top of the invariants below, the alerts and the
 * requests through the proxy are checked (see that file). Every run reports RSS, RssAnon,
 * RssFile and CPU per minute and the RSS growth from minute --settle-minutes to the end.
 *
 * The fleet is bench/gen-fleet.ts running the shared harness's C service (tinyhttp,
 * `bash ../shared/bench/build.sh`; CHAOS_SERVICE_BINARY or --binary points elsewhere). When
 * it is not available, a small Bun HTTP server run by a private copy of the bun executable
 * stands in, so the test suite needs nothing but bun. Either way the binary is copied into
 * the fleet dir, so /proc/PID/exe tells this run's service processes from everything else.
 *
 * The manifest keeps the ladder and the breaker out of the way on purpose: `backoff: [0ms]`
 * with `resetAfter: 1s`, and a service is only killed while healthy with its attempt count
 * back at 0 (healthy for at least 1 s), so every kill is attempt 1 (tier `immediate`) and
 * never climbs to the graceful/dependencies tiers or quarantine; the breaker needs 1,000
 * failures within 1 s, so it never opens.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CLOCK_TICKS_PER_SECOND } from "../src/process/proc-stats";
import { startLoad } from "./api-load";
import { generateFleet } from "./gen-fleet";
import { percentile, procStatusMiB } from "./measure";
import { cpuTicks, descendants, exeOf, isExe, procInfo, processesOf, stillRuns, type ProcInfo } from "./proc-tree";
import { perMinute, settledGrowth, type MinuteRow, type SettledGrowth } from "./soak-figures";
import { checkAlerts, kindOf, MIXED_PORTS, missingForMixed, pickKind, startAlertReceiver, startProxyLoad, writeMixedFleet, type AlertCheck, type AlertStats, type ProxyFigures } from "./soak-mixed";

const ROOT = resolve(import.meta.dir, "..");
const HOST = "127.0.0.1";
const SHARED_BUILD = resolve(ROOT, "../shared/bench/build.sh");
const DEFAULT_TINYHTTP = "/tmp/bench-work/tinyhttp";

export interface ChaosOptions {
  services: number;
  kills: number;
  /** The kills are spread over about this many seconds. */
  seconds: number;
  /** Load requests per second against the API (half /services, half /status). */
  rate?: number;
  /** Most load requests in flight at once. */
  concurrency?: number;
  seed?: number;
  /** The orchestrator binary (default dist/orchestrator). */
  orchestratorBinary?: string;
  /** The service binary to copy into the fleet (default: tinyhttp, built if possible, else a Bun stand-in). */
  serviceBinary?: string;
  /** Use the Bun stand-in even when tinyhttp is available. */
  bunService?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Keep the fleet dir (state, logs) after the run. */
  keepDir?: boolean;
  /**
   * The mixed fleet of bench/soak-mixed.ts (needs root and the real programs): the recipes'
   * PostgreSQL, Redis, app and nginx, `services` tinyhttp, a replica group behind the proxy,
   * alerts to the runner. Kills are picked by kind (half tinyhttp, a quarter replicas, a quarter real programs).
   */
  mixed?: boolean;
  /** First port of the run's range (default: a free range picked at random). */
  portBase?: number;
  /** --mixed: requests per second through the proxy (default 20). */
  proxyRate?: number;
  /** RSS growth is reported from this minute since the first kill to the end (default 10). */
  settleMinutes?: number;
}

export interface ChaosReport {
  date: string;
  seed: number;
  service: "tinyhttp" | "bun";
  services: number;
  killsRequested: number;
  kills: number;
  /** Random picks that found the service not healthy (or still on the ladder) and picked again. */
  repicks: number;
  killWindowSeconds: number;
  killsPerSecond: number;
  launchMs: number;
  /** From the last kill until every service was healthy with a new pid. */
  recoverMs: number;
  /** Services whose `restarts` differs from the kills they got: name -> {restarts, kills}. */
  restartMismatches: Record<string, { restarts: number; kills: number }>;
  /** Services whose `restarted` healing events differ from their kills. */
  healingMismatches: Record<string, { restarted: number; detected: number; kills: number }>;
  healingActions: Record<string, number>;
  events: { count: number; firstSeq: number; lastSeq: number; statsLastSeq: number; gaps: string[] };
  notHealthy: string[];
  systemState: string;
  api: { requests: number; non2xx: number; failed: number; rps: number; p50Ms: number; p99Ms: number; maxMs: number };
  rss: { readyMiB: number; afterMiB: number; peakMiB: number; growthMiB: number; heapUsedReadyMiB: number; heapUsedAfterMiB: number; samples: [seconds: number, MiB: number][];
    /** The same samples split into anonymous and file-backed (the executable's own pages, mostly) RSS. */
    split: [seconds: number, anonMiB: number, fileMiB: number][] };
  /** The orchestrator's CPU between consecutive RSS samples, % of one core: [seconds, percent]. */
  cpu: { samples: [seconds: number, percent: number][] };
  /** Per minute since the first kill: RSS, RssAnon, RssFile (MiB, medians of the samples in it) and CPU (% of a core, mean). */
  perMinute: MinuteRow[];
  /** From the median of minute `settleMinutes` to the median of the last minute (RSS and RssAnon), MiB; null when the run is shorter. */
  settled: SettledGrowth;
  /** --mixed only. */
  mixed?: { killsByKind: Record<string, number>; proxy: ProxyFigures; alerts: AlertCheck };
  /** Processes tracked for the no-orphan check: the orchestrator's descendants seen during the run, plus every killed pid. */
  shutdown: { exitCode: number | null; ms: number; tracked: number; leftover: number[] };
  violations: string[];
}

// ---------------------------------------------------------------------------------------------
// small helpers

/** mulberry32: a seeded PRNG so a run can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

const sleep = (ms: number) => Bun.sleep(Math.max(0, ms));
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/**
 * `count` consecutive loopback ports that were free a moment ago, below the kernel's
 * ephemeral range: a port in it can be taken at any moment by some client's outgoing
 * connection (the load loop's own, say), and a restarted service could not bind.
 */
export function freePortRange(count: number, random: () => number = Math.random): number {
  const ephemeralStart = Number(readFileSyncSafe("/proc/sys/net/ipv4/ip_local_port_range").split(/\s+/)[0]) || 32768;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 10000 + Math.floor(random() * Math.max(1, ephemeralStart - 10000 - count));
    const held: { stop(): void }[] = [];
    let ok = true;
    for (let port = base; port < base + count && ok; port++) {
      try {
        held.push(Bun.listen({ hostname: HOST, port, socket: { data() {} } }));
      } catch {
        ok = false;
      }
    }
    for (const listener of held) listener.stop();
    if (ok) return base;
  }
  throw new Error(`chaos: expected a free range of ${count} loopback ports, found none in 50 tries`);
}

interface ServiceRow {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  attempt: number;
}

interface HealingPayload {
  service: string;
  action: string;
}

interface EventRow {
  seq: number;
  type: string;
  payload: unknown;
}

async function getJson<T>(url: string, timeoutMs = 10_000): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${url}: expected 2xx, got ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The orchestrator's own JS heap in use, from GET /orchestrator/stats. */
async function heapUsedMiB(api: string): Promise<number> {
  const stats = await getJson<{ memory: { heapUsedBytes: number } }>(`${api}/orchestrator/stats`);
  return stats.memory.heapUsedBytes / 1024 / 1024;
}

// ---------------------------------------------------------------------------------------------
// the service binary

/** Resolve the service: tinyhttp (given, found, or built from the shared harness), else the Bun stand-in. */
export function resolveService(given: string | undefined, bunService: boolean, log: (line: string) => void): { kind: "tinyhttp" | "bun"; source: string } {
  if (bunService) return { kind: "bun", source: process.execPath };
  const explicit = given ?? process.env.CHAOS_SERVICE_BINARY;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`chaos: expected the service binary ${explicit} to exist, it does not`);
    return { kind: "tinyhttp", source: explicit };
  }
  if (!existsSync(DEFAULT_TINYHTTP) && existsSync(SHARED_BUILD)) {
    const build = Bun.spawnSync(["bash", SHARED_BUILD], { stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) log(`chaos: building tinyhttp failed (${build.stderr.toString().trim()}); using the Bun stand-in`);
  }
  if (existsSync(DEFAULT_TINYHTTP)) return { kind: "tinyhttp", source: DEFAULT_TINYHTTP };
  return { kind: "bun", source: process.execPath };
}

/** The Bun stand-in for tinyhttp: 200 "ok" with X-Pid on every path, SIGTERM exits 0. */
const BUN_SERVICE = `const server = Bun.serve({ hostname: "127.0.0.1", port: Number(process.env.PORT), fetch: () => new Response("ok", { headers: { "X-Pid": String(process.pid) } }) });
process.on("SIGTERM", () => { server.stop(true); process.exit(0); });
`;

/** Put a private copy (or hard link) of the service binary in DIR/bin; returns [binary, start command]. */
export function installService(dir: string, kind: "tinyhttp" | "bun", source: string): [string, string] {
  mkdirSync(join(dir, "bin"), { recursive: true });
  const binary = join(dir, "bin", kind === "bun" ? "bun-svc" : "tinyhttp");
  try {
    linkSync(source, binary);
  } catch {
    copyFileSync(source, binary);
  }
  Bun.spawnSync(["chmod", "755", binary]);
  if (kind === "tinyhttp") return [binary, `exec ${binary}`];
  writeFileSync(join(dir, "bin", "service.js"), BUN_SERVICE);
  return [binary, `exec ${binary} ${join(dir, "bin", "service.js")}`];
}

export function manifest(n: number, apiPort: number): string {
  return [
    "version: 1",
    `name: chaos-${n}`,
    `api: { host: ${HOST}, port: ${apiPort} }`,
    "discovery: { roots: [services] }",
    "state: { dir: state }",
    "defaults:",
    "  health: { interval: 1s }",
    "  # every kill is attempt 1: no backoff, and the count resets after 1 s healthy",
    "  restart: { backoff: [0ms], resetAfter: 1s }",
    "# deliberate chaos must not open a breaker",
    "circuitBreaker: { failureThreshold: 1000, window: 1s }",
    "",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// the run

/** Emergency cleanups of runs in progress (a test that timed out, a ^C): SIGKILL by PID. */
const activeRuns = new Set<() => void>();

/** SIGKILL the orchestrator and every service process of each run still in progress. */
export function killActiveRuns(): void {
  for (const kill of [...activeRuns]) kill();
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = prng(seed);
  const rate = options.rate ?? 200;
  const concurrency = options.concurrency ?? 16;
  const orchestratorBinary = options.orchestratorBinary ?? join(ROOT, "dist/orchestrator");
  if (!existsSync(orchestratorBinary)) throw new Error(`chaos: expected ${orchestratorBinary} (run \`bun run build\`), it does not exist`);
  const violations: string[] = [];
  const service = resolveService(options.serviceBinary, options.bunService ?? false, log);

  const base = options.portBase ?? freePortRange(options.mixed ? MIXED_PORTS : options.services + 1, random);
  let binary = "";
  let dir: string;
  let fleetEnv: Record<string, string> = {};
  let mixed: ReturnType<typeof writeMixedFleet> | null = null;
  if (options.mixed) {
    const missing = missingForMixed();
    if (missing) throw new Error(`chaos --mixed: the real fleet cannot run here: it ${missing}`);
    if (service.kind !== "tinyhttp") throw new Error("chaos --mixed: expected tinyhttp for the services, got the Bun stand-in");
    mixed = writeMixedFleet(options.services, base, (fleetDir) => {
      const [installed, command] = installService(fleetDir, service.kind, service.source);
      binary = installed;
      return command;
    });
    dir = mixed.dir;
    fleetEnv = mixed.env;
  } else {
    dir = mkdtempSync(join(tmpdir(), "orch-chaos-"));
    const [installed, command] = installService(dir, service.kind, service.source);
    binary = installed;
    generateFleet(options.services, dir, base + 1, command);
    writeFileSync(join(dir, "orchestrator.yaml"), manifest(options.services, base));
  }
  const apiPort = base;
  const api = `http://${HOST}:${apiPort}`;
  const alertReceiver = mixed ? startAlertReceiver(mixed.alertPort) : null;

  /** Everything this run started that cleanup may have to kill: (pid, start time) pairs. */
  const seen = new Map<number, ProcInfo>();
  const outputTail: string[] = [];
  const proc = Bun.spawn([orchestratorBinary, "up", "-c", join(dir, "orchestrator.yaml")], {
    cwd: dir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? dir, ...fleetEnv },
  });
  const orchestratorPid = proc.pid;
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    let rest = "";
    const reader = stream.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += decoder.decode(chunk.value, { stream: true });
      const lines = rest.split("\n");
      rest = lines.pop()!;
      outputTail.push(...lines);
      if (outputTail.length > 400) outputTail.splice(0, outputTail.length - 200);
    }
  };
  void drain(proc.stdout);
  void drain(proc.stderr);
  const recordDescendants = () => {
    for (const info of descendants(orchestratorPid)) seen.set(info.pid, info);
  };
  let load: ReturnType<typeof startLoad> | null = null;
  let proxyLoad: ReturnType<typeof startProxyLoad> | null = null;
  let exitCode: number | null = null;
  const emergency = () => {
    const orchestrator = proc.exitCode === null && proc.signalCode === null ? [orchestratorPid] : [];
    const targets = [...orchestrator, ...processesOf(binary), ...[...seen.values()].filter(stillRuns).map((p) => p.pid)];
    for (const pid of new Set(targets)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  };
  activeRuns.add(emergency);

  try {
    // 1. launch
    const t0 = performance.now();
    const deadline = Date.now() + 60_000 + options.services * 200;
    let total = options.services;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`chaos: orchestrator exited ${proc.exitCode} before ready:\n${outputTail.slice(-20).join("\n")}`);
      const status = await getJson<{ state: string; total?: number }>(`${api}/orchestrator/status`, 2000).catch(() => null);
      if (status?.state === "ready") {
        total = status.total ?? total; // --mixed adds the real programs and the replicas to the tinyhttp services
        break;
      }
      if (Date.now() > deadline) throw new Error(`chaos: expected the fleet to be ready, status is ${status?.state ?? "unreachable"}:\n${outputTail.slice(-20).join("\n")}`);
      await sleep(100);
    }
    const launchMs = performance.now() - t0;
    recordDescendants();
    const rssReady = procStatusMiB(orchestratorPid);
    const heapReady = await heapUsedMiB(api);
    let rssPeak = rssReady;
    const samples: [number, number][] = [[0, round(rssReady)]];
    const split: [number, number, number][] = [];
    const sampleSplit = (seconds: number) => split.push([seconds, round(procStatusMiB(orchestratorPid, "RssAnon")), round(procStatusMiB(orchestratorPid, "RssFile"))]);
    sampleSplit(0);
    const cpuSamples: [number, number][] = [];
    let cpuMark = { ticks: cpuTicks(orchestratorPid), at: performance.now() };
    const sampleCpu = (seconds: number) => {
      const now = { ticks: cpuTicks(orchestratorPid), at: performance.now() };
      cpuSamples.push([seconds, round(((now.ticks - cpuMark.ticks) / CLOCK_TICKS_PER_SECOND / ((now.at - cpuMark.at) / 1000)) * 100)]);
      cpuMark = now;
    };
    log(`chaos: ${total} services ready in ${Math.round(launchMs)} ms, orchestrator RSS ${round(rssReady)} MiB (seed ${seed}, ${service.kind})`);

    // 2. load + kills
    load = startLoad(api, rate, concurrency);
    proxyLoad = mixed ? startProxyLoad(mixed.proxyPort, options.proxyRate ?? 20) : null;
    const replicaKillTimes: number[] = [];
    const killsByKind: Record<string, number> = {};
    const kills = new Map<string, number>();
    // Killed processes as pid:start-time: pids wrap (pid_max is often 32768), and a bare pid
    // set would, after the wrap, mark a service's new process as killed and never pick it
    // again; once every service was marked, the loop found nothing to kill and stalled.
    const killed = new Set<string>();
    const wasKilled = (pid: number) => {
      const info = procInfo(pid);
      return info === null || killed.has(`${pid}:${info.start}`);
    };
    let sent = 0;
    let repicks = 0;
    let emptyPicks = 0;
    let lastProgress = performance.now();
    const killStart = performance.now();
    // --kills 0 watches the fleet for --seconds without killing (RSS/CPU of a quiet or loaded fleet)
    const watchOnly = options.kills === 0;
    const gapMs = watchOnly ? 1000 : (options.seconds * 1000) / options.kills;
    const killDeadline = killStart + options.seconds * 1000 * 2 + 30_000;
    let target = killStart;
    let lastSample = killStart;
    while (performance.now() < killDeadline && (watchOnly ? performance.now() < killStart + options.seconds * 1000 : sent < options.kills)) {
      target += gapMs * (0.5 + random()); // small random gaps, averaging seconds/kills
      await sleep(target - performance.now());
      if (performance.now() - lastSample > 2000) {
        lastSample = performance.now();
        const rss = procStatusMiB(orchestratorPid);
        rssPeak = Math.max(rssPeak, rss);
        const seconds = Math.round((lastSample - killStart) / 1000);
        if (seconds >= samples[samples.length - 1]![0] + Math.max(10, options.seconds / 60)) {
          samples.push([seconds, round(rss)]);
          sampleSplit(seconds);
          sampleCpu(seconds);
        }
        recordDescendants();
      }
      if (performance.now() - lastProgress > 60_000) {
        lastProgress = performance.now();
        const heap = await heapUsedMiB(api).catch(() => NaN);
        log(`chaos: ${Math.round((lastProgress - killStart) / 1000)} s: ${sent} kills, ${repicks} repicks (${emptyPicks} found none eligible), RSS ${round(procStatusMiB(orchestratorPid))} MiB, JS heap ${round(heap)} MiB, ${load.requestsSoFar()} load requests`);
      }
      if (watchOnly) continue;
      const rows = await getJson<ServiceRow[]>(`${api}/orchestrator/services`);
      const settled = (row: ServiceRow) => row.state === "healthy" && row.attempt === 0 && row.pid !== null && !wasKilled(row.pid);
      // --mixed: a real program is its own executable (postgres, redis-server, bun, nginx), and is
      // only killed while all four are settled, so one kill never lands on a fleet still healing another
      const isReal = (row: ServiceRow) => mixed !== null && kindOf(row.name) === "real";
      const realCalm = rows.filter(isReal).every(settled);
      const isService = (row: ServiceRow) => (isReal(row) ? exeOf(row.pid!) !== null : isExe(exeOf(row.pid!), binary));
      const eligible = (row: ServiceRow) => settled(row) && isService(row) && (!isReal(row) || realCalm);
      const kind = mixed ? pickKind(random) : null;
      const pool = kind ? rows.filter((row) => kindOf(row.name) === kind) : rows;
      let pick = pool[Math.floor(random() * pool.length)];
      if (!pick || !eligible(pick)) {
        repicks++;
        const candidates = pool.filter(eligible);
        if (candidates.length === 0) {
          emptyPicks++;
          target = performance.now() + 20; // nothing healthy right now: try again shortly
          continue;
        }
        pick = candidates[Math.floor(random() * candidates.length)]!;
      }
      const pid = pick.pid!;
      const info = procInfo(pid);
      if (!info || !isService(pick)) continue; // checked again right before the signal
      seen.set(pid, info);
      process.kill(pid, "SIGKILL");
      if (kind === "replica") replicaKillTimes.push(performance.now());
      if (kind) killsByKind[kind] = (killsByKind[kind] ?? 0) + 1;
      killed.add(`${pid}:${info.start}`);
      kills.set(pick.name, (kills.get(pick.name) ?? 0) + 1);
      sent++;
      if (sent % Math.max(1, Math.floor(options.kills / 10)) === 0) log(`chaos: ${sent}/${options.kills} kills`);
    }
    const killWindowSeconds = (performance.now() - killStart) / 1000;
    if (sent < options.kills) violations.push(`only ${sent} of ${options.kills} kills could be sent within the time limit`);

    // 3. recovery: every service healthy, none still on a pid we killed
    const recoverStart = performance.now();
    let rows: ServiceRow[] = [];
    const recoverDeadline = Date.now() + 60_000;
    for (;;) {
      rows = await getJson<ServiceRow[]>(`${api}/orchestrator/services`);
      const done = rows.every((r) => (r.state === "healthy" && r.pid !== null && !wasKilled(r.pid)) || r.state === "completed"); // completed: a one-shot (db-init)
      if (done || Date.now() > recoverDeadline) break;
      await sleep(100);
    }
    const recoverMs = performance.now() - recoverStart;
    recordDescendants();
    const apiFigures = await load.stop();
    load = null;
    const proxyFigures = proxyLoad ? await proxyLoad.stop(replicaKillTimes) : null;
    proxyLoad = null;
    // measured before the checks below page through every stored event (that allocates too)
    const rssAfter = procStatusMiB(orchestratorPid);
    rssPeak = Math.max(rssPeak, rssAfter);
    samples.push([Math.round((performance.now() - killStart) / 1000), round(rssAfter)]);
    sampleSplit(samples[samples.length - 1]![0]);
    const heapAfter = await heapUsedMiB(api);

    const notHealthy = rows.filter((r) => r.state !== "healthy" && r.state !== "completed").map((r) => `${r.name} is ${r.state}`);
    if (notHealthy.length) violations.push(`not healthy after recovery: ${notHealthy.slice(0, 10).join(", ")}${notHealthy.length > 10 ? ", ..." : ""}`);
    const status = await getJson<{ state: string }>(`${api}/orchestrator/status`);
    if (status.state !== "ready") violations.push(`system state is ${status.state}, expected ready`);

    const restartMismatches: ChaosReport["restartMismatches"] = {};
    for (const row of rows) {
      const k = kills.get(row.name) ?? 0;
      if (row.restarts !== k) restartMismatches[row.name] = { restarts: row.restarts, kills: k };
    }
    if (Object.keys(restartMismatches).length) violations.push(`restarts differ from kills for ${Object.keys(restartMismatches).length} services`);

    // 4. the event log: page through everything stored
    const stats = await getJson<{ events: { lastSeq: number }; alerts?: AlertStats[] }>(`${api}/orchestrator/stats`);
    const events: EventRow[] = [];
    for (let since = 0; ; ) {
      const page = await getJson<EventRow[]>(`${api}/orchestrator/events?since=${since}&limit=10000`, 30_000);
      if (page.length === 0) break;
      events.push(...page);
      since = page[page.length - 1]!.seq;
    }
    const gaps: string[] = [];
    for (let i = 1; i < events.length; i++) {
      if (events[i]!.seq !== events[i - 1]!.seq + 1) gaps.push(`${events[i - 1]!.seq} -> ${events[i]!.seq}`);
    }
    const firstSeq = events[0]?.seq ?? 0;
    const lastSeq = events[events.length - 1]?.seq ?? 0;
    if (gaps.length) violations.push(`event seq gaps: ${gaps.slice(0, 10).join(", ")}`);
    if (lastSeq < stats.events.lastSeq) violations.push(`events end at seq ${lastSeq}, but stats say lastSeq ${stats.events.lastSeq}`);
    if (firstSeq !== 1) violations.push(`the first stored event is seq ${firstSeq}, expected 1 (fresh state dir)`);

    const healingActions: Record<string, number> = {};
    const restarted = new Map<string, number>();
    const detected = new Map<string, number>();
    for (const event of events) {
      if (event.type !== "healing") continue;
      const h = event.payload as HealingPayload;
      healingActions[h.action] = (healingActions[h.action] ?? 0) + 1;
      if (h.action === "restarted") restarted.set(h.service, (restarted.get(h.service) ?? 0) + 1);
      if (h.action === "detected") detected.set(h.service, (detected.get(h.service) ?? 0) + 1);
    }
    const healingMismatches: ChaosReport["healingMismatches"] = {};
    for (const row of rows) {
      const k = kills.get(row.name) ?? 0;
      const r = restarted.get(row.name) ?? 0;
      const d = detected.get(row.name) ?? 0;
      if (r !== k || d !== k) healingMismatches[row.name] = { restarted: r, detected: d, kills: k };
    }
    if (Object.keys(healingMismatches).length) violations.push(`restarted/detected healing events differ from kills for ${Object.keys(healingMismatches).length} services`);
    for (const action of ["escalated", "quarantined", "breaker-opened", "gave-up"]) {
      if (healingActions[action]) violations.push(`${healingActions[action]} '${action}' healing events`);
    }

    let mixedReport: ChaosReport["mixed"];
    if (mixed && alertReceiver && proxyFigures) {
      // alerts still being delivered: give them a moment (a POST has 5 s, its retries 1 s and 5 s more)
      let alertStats = stats.alerts?.[0] ?? null;
      for (const deadline = Date.now() + 15_000; alertStats?.pending && Date.now() < deadline; await sleep(200)) {
        alertStats = (await getJson<{ alerts?: AlertStats[] }>(`${api}/orchestrator/stats`)).alerts?.[0] ?? null;
      }
      const alerts = checkAlerts(alertReceiver, alertStats, events);
      violations.push(...alerts.violations);
      if (proxyFigures.failedOutsideKillWindows) violations.push(`proxy: ${proxyFigures.failedOutsideKillWindows} requests failed outside a replica kill's window (${proxyFigures.firstProblems.join("; ")})`);
      mixedReport = { killsByKind, proxy: proxyFigures, alerts: alerts.check };
    }

    if (apiFigures.non2xx || apiFigures.failed) {
      violations.push(`load: ${apiFigures.non2xx} non-2xx, ${apiFigures.failed} failed requests (${apiFigures.firstProblems.join("; ")})`);
    }
    const sorted = [...apiFigures.latencies].sort((a, b) => a - b);
    rssPeak = Math.max(rssPeak, procStatusMiB(orchestratorPid));

    // 5. shutdown
    recordDescendants();
    const stopStart = performance.now();
    proc.kill("SIGTERM");
    exitCode = await Promise.race([proc.exited, sleep(120_000).then(() => null)]);
    const stopMs = performance.now() - stopStart;
    if (exitCode !== 0) violations.push(`orchestrator exit code after SIGTERM: ${exitCode ?? "still running after 120 s"}`);
    // give init a moment to reap what the orchestrator's exit reparented
    const leftoverDeadline = Date.now() + 5000;
    let leftover: number[] = [];
    for (;;) {
      leftover = [...new Set([...processesOf(binary), ...[...seen.values()].filter(stillRuns).map((p) => p.pid)])];
      if (leftover.length === 0 || Date.now() > leftoverDeadline) break;
      await sleep(50);
    }
    if (leftover.length) violations.push(`left running after shutdown: ${leftover.join(", ")}`);

    const report: ChaosReport = {
      date: new Date().toISOString(),
      seed,
      service: service.kind,
      services: options.services,
      killsRequested: options.kills,
      kills: sent,
      repicks,
      killWindowSeconds: round(killWindowSeconds),
      killsPerSecond: round(sent / killWindowSeconds, 2),
      launchMs: Math.round(launchMs),
      recoverMs: Math.round(recoverMs),
      restartMismatches,
      healingMismatches,
      healingActions,
      events: { count: events.length, firstSeq, lastSeq, statsLastSeq: stats.events.lastSeq, gaps },
      notHealthy,
      systemState: status.state,
      api: {
        requests: apiFigures.requests,
        non2xx: apiFigures.non2xx,
        failed: apiFigures.failed,
        rps: round(apiFigures.requests / apiFigures.seconds),
        p50Ms: round(percentile(sorted, 50), 2),
        p99Ms: round(percentile(sorted, 99), 2),
        maxMs: round(sorted[sorted.length - 1] ?? 0, 2),
      },
      rss: { readyMiB: round(rssReady), afterMiB: round(rssAfter), peakMiB: round(rssPeak), growthMiB: round(rssAfter - rssReady), heapUsedReadyMiB: round(heapReady), heapUsedAfterMiB: round(heapAfter), samples, split },
      cpu: { samples: cpuSamples },
      perMinute: perMinute(samples, split, cpuSamples),
      settled: settledGrowth(samples, split, options.settleMinutes ?? 10),
      ...(mixedReport ? { mixed: mixedReport } : {}),
      shutdown: { exitCode, ms: Math.round(stopMs), tracked: seen.size, leftover },
      violations,
    };
    if (violations.length) log(`chaos: violations:\n  ${violations.join("\n  ")}\n--- last orchestrator lines ---\n${outputTail.slice(-10).join("\n")}`);
    return report;
  } finally {
    // Clean up by PID, whatever happened: the orchestrator, then anything it left.
    if (load) await load.stop().catch(() => {});
    if (proxyLoad) await proxyLoad.stop([]).catch(() => {});
    alertReceiver?.stop();
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGKILL");
      await Promise.race([proc.exited, sleep(5000)]);
    }
    for (let round = 0; round < 3; round++) {
      const targets = [...processesOf(binary), ...[...seen.values()].filter(stillRuns).map((p) => p.pid)];
      if (targets.length === 0) break;
      for (const pid of new Set(targets)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
      await sleep(200);
    }
    activeRuns.delete(emergency);
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
    else log(`chaos: fleet dir kept: ${dir}`);
  }
}

// ---------------------------------------------------------------------------------------------
// CLI

function humanSummary(r: ChaosReport): string {
  const ok = r.violations.length === 0;
  return [
    `chaos ${ok ? "PASSED" : "FAILED"}: ${r.services} services (${r.service}), ${r.kills}/${r.killsRequested} kill -9 in ${r.killWindowSeconds} s (${r.killsPerSecond}/s), seed ${r.seed}`,
    `  launch ${r.launchMs} ms; all healthy again ${r.recoverMs} ms after the last kill; system ${r.systemState}`,
    `  restarts = kills for ${r.services - Object.keys(r.restartMismatches).length}/${r.services} services; healing ${JSON.stringify(r.healingActions)}`,
    `  events: ${r.events.count} stored, seq ${r.events.firstSeq}..${r.events.lastSeq} (stats lastSeq ${r.events.statsLastSeq}), ${r.events.gaps.length} gaps`,
    `  API load: ${r.api.requests} requests (${r.api.rps}/s), ${r.api.non2xx} non-2xx, ${r.api.failed} failed, p50 ${r.api.p50Ms} ms, p99 ${r.api.p99Ms} ms, max ${r.api.maxMs} ms`,
    `  orchestrator RSS: ${r.rss.readyMiB} MiB at ready, ${r.rss.afterMiB} MiB after, peak ${r.rss.peakMiB} MiB, growth ${r.rss.growthMiB} MiB (JS heap in use ${r.rss.heapUsedReadyMiB} -> ${r.rss.heapUsedAfterMiB} MiB)`,
    `  RSS over the run [s, MiB]: ${r.rss.samples.map(([t, m]) => `${t}:${m}`).join(" ")}`,
    `  of which anonymous/file-backed [s, MiB/MiB]: ${r.rss.split.map(([t, a, f]) => `${t}:${a}/${f}`).join(" ")}`,
    `  CPU over the run [s, % of a core since the previous sample]: ${r.cpu.samples.map(([t, c]) => `${t}:${c}`).join(" ")}`,
    `  per minute [min: RSS, RssAnon/RssFile MiB, CPU %]: ${r.perMinute.map(([m, rss, a, f, c]) => `${m}: ${rss}, ${a}/${f}, ${c}%`).join("; ")}`,
    `  RSS from the median of minute ${r.settled.fromMinute} to that of the last: ${r.settled.rssGrowthMiB ?? "n/a (shorter run)"} MiB (RssAnon ${r.settled.anonGrowthMiB ?? "n/a"} MiB)`,
    ...(r.mixed
      ? [
          `  kills by kind: ${JSON.stringify(r.mixed.killsByKind)}`,
          `  proxy: ${r.mixed.proxy.requests} requests, ${r.mixed.proxy.failed} failed (${r.mixed.proxy.failedInKillWindows} in the windows of ${r.mixed.proxy.replicaKills} replica kills, ${r.mixed.proxy.failedOutsideKillWindows} outside), p50 ${r.mixed.proxy.p50Ms} ms, p99 ${r.mixed.proxy.p99Ms} ms`,
          `  alerts: received ${JSON.stringify(r.mixed.alerts.received)}; offered ${JSON.stringify(r.mixed.alerts.offered)}; endpoint stats ${JSON.stringify(r.mixed.alerts.stats)}`,
        ]
      : []),
    `  shutdown: exit ${r.shutdown.exitCode} in ${r.shutdown.ms} ms; of ${r.shutdown.tracked} processes tracked and the fleet binary's, ${r.shutdown.leftover.length} left`,
    ...r.violations.map((v) => `  VIOLATION: ${v}`),
  ].join("\n");
}

function parseArgs(argv: string[]): ChaosOptions {
  const options: ChaosOptions = { services: 200, kills: 1000, seconds: 180 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const number = () => {
      const n = Number(value);
      if (value === undefined || !Number.isFinite(n) || n < 0) throw new Error(`chaos: ${flag} expects a number, got ${value ?? "nothing"}`);
      i++;
      return n;
    };
    if (flag === "--services") options.services = number();
    else if (flag === "--kills") options.kills = number();
    else if (flag === "--seconds") options.seconds = number();
    else if (flag === "--rate") options.rate = number();
    else if (flag === "--concurrency") options.concurrency = number();
    else if (flag === "--seed") options.seed = number();
    else if (flag === "--binary") {
      options.serviceBinary = value;
      i++;
    } else if (flag === "--orchestrator") {
      options.orchestratorBinary = value;
      i++;
    } else if (flag === "--keep") options.keepDir = true;
    else if (flag === "--bun-service") options.bunService = true;
    else if (flag === "--mixed") options.mixed = true;
    else if (flag === "--port-base") options.portBase = number();
    else if (flag === "--proxy-rate") options.proxyRate = number();
    else if (flag === "--settle-minutes") options.settleMinutes = number();
    else throw new Error(`chaos: unknown argument ${flag}\nusage: bun bench/chaos.ts [--services 200] [--kills 1000] [--seconds 180] [--rate 200] [--seed N] [--binary PATH | --bun-service] [--orchestrator PATH] [--keep] [--mixed [--proxy-rate 20]] [--port-base N] [--settle-minutes 10]`);
  }
  // --mixed: 100 tinyhttp, one kill every 3 s, 20 API requests/s unless told otherwise
  if (options.mixed) {
    if (!argv.includes("--services")) options.services = 100;
    if (!argv.includes("--kills")) options.kills = Math.round(options.seconds / 3);
    if (!argv.includes("--rate")) options.rate = 20;
  }
  return options;
}

if (import.meta.main) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      killActiveRuns();
      process.exit(130);
    });
  }
  try {
    const report = await runChaos({ ...parseArgs(process.argv.slice(2)), log: (line) => console.error(line) });
    console.log(JSON.stringify(report));
    console.log(humanSummary(report));
    process.exit(report.violations.length === 0 ? 0 : 1);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
