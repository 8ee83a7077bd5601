/**
 * What reading a child's stdout and stderr costs in RSS, per child: spawns 200 detached
 * children (`sh -c 'echo hello; exec sleep 30'`) in one of several ways and reports the
 * growth of this process's RSS after a full GC. Each mode runs in its own process.
 *   ignore  stdout/stderr "ignore" (the floor: the Subprocess objects alone)
 *   pipe    "pipe", never read
 *   read    "pipe", each read by a ReadableStream reader (what the spawner does)
 *   node    node:child_process spawn with "data" listeners
 *
 *   bun bench/pipe-memory.ts            # all modes
 *   bun bench/pipe-memory.ts read       # one mode
 *
 * `fleet` measures the compiled binary instead: it launches `up` on generated tinyhttp
 * fleets (bench/gen-fleet.ts; HTTP probes every 5 s, log files on, as an operator runs it)
 * of each size, waits for `ready` and --settle ms more, and reads RssAnon, RssFile and USS
 * (Private_Clean + Private_Dirty of smaps_rollup). Per service: the growth between the
 * smallest and the largest size, divided by the services added. With --vs, the two
 * binaries alternate, run by run, so drift hits both alike.
 * --defaults replaces the manifest's one `defaults:` entry, e.g. `--defaults 'health: { interval:
 * 1h, timeout: 2s }'` to tell what the probe rounds cost from what the rest does. (Not `health:
 * false`: the generated fleet is all in the serial phase 0, each service then ready after 1 s,
 * so N=200 is not ready within the 60 s this waits.)
 *   bun bench/pipe-memory.ts fleet [--binary dist/orchestrator] [--vs /tmp/base] [--sizes 200,999] [--runs 3] [--base-port 29000] [--settle 5000] [--defaults YAML]
 */
import { spawn as nodeSpawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateFleet } from "./gen-fleet";
import { median, procStatusMiB } from "./measure";

const MODES = ["ignore", "pipe", "read", "node"] as const;
const N = 200;
const rssMiB = () => procStatusMiB("self");

async function measure(mode: string): Promise<void> {
  const argv = ["/bin/sh", "-c", "echo hello; exec sleep 30"];
  Bun.gc(true);
  await Bun.sleep(200);
  const before = rssMiB();
  const pids: number[] = [];
  const keep: unknown[] = [];
  for (let i = 0; i < N; i++) {
    if (mode === "node") {
      const child = nodeSpawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], detached: true });
      child.stdout!.on("data", () => {});
      child.stderr!.on("data", () => {});
      pids.push(child.pid!);
      keep.push(child);
      continue;
    }
    const io = mode === "ignore" ? "ignore" : "pipe";
    const proc = Bun.spawn(argv, { stdin: "ignore", stdout: io, stderr: io, detached: true });
    pids.push(proc.pid);
    keep.push(proc);
    if (mode === "read")
      for (const stream of [proc.stdout, proc.stderr] as ReadableStream<Uint8Array>[]) {
        const reader = stream.getReader();
        void (async () => {
          while (!(await reader.read()).done);
        })();
      }
  }
  try {
    await Bun.sleep(1500);
    Bun.gc(true);
    await Bun.sleep(300);
    Bun.gc(true);
    const after = rssMiB();
    console.log(`${mode.padEnd(6)} RSS ${before.toFixed(1)} -> ${after.toFixed(1)} MiB: ${(((after - before) * 1024) / N).toFixed(0)} KiB per child`);
  } finally {
    for (const pid of pids) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
}

function ussMiB(pid: number): number {
  let kib = 0;
  for (const match of readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").matchAll(/^Private_(?:Clean|Dirty):\s+(\d+) kB/gm)) kib += Number(match[1]);
  return kib / 1024;
}

interface FleetSample {
  anon: number;
  file: number;
  uss: number;
}

async function sampleFleet(binary: string, n: number, base: number, settleMs: number, tinyhttp: string, defaults: string): Promise<FleetSample> {
  const dir = mkdtempSync(join(tmpdir(), "orch-pipe-memory-"));
  try {
    mkdirSync(join(dir, "bin"));
    copyFileSync(tinyhttp, join(dir, "bin/tinyhttp"));
    generateFleet(n, dir, base + 1, `exec ${join(dir, "bin/tinyhttp")}`);
    writeFileSync(
      join(dir, "orchestrator.yaml"),
      `version: 1\nname: pipe-memory-${n}\napi: { host: 127.0.0.1, port: ${base} }\ndiscovery: { roots: [services] }\nstate: { dir: state }\n` +
        `defaults:\n  ${defaults}\n`,
    );
    const proc = Bun.spawn([binary, "up", "-c", join(dir, "orchestrator.yaml")], { cwd: dir, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    try {
      let ready = false;
      for (const deadline = Date.now() + 60_000; !ready && Date.now() < deadline; await Bun.sleep(50)) {
        const state = await fetch(`http://127.0.0.1:${base}/orchestrator/status`).then((r) => r.json() as Promise<{ state: string }>, () => null);
        ready = state?.state === "ready";
      }
      if (!ready) throw new Error(`pipe-memory: expected ${n} services ready within 60 s, got ${binary} not ready`);
      await Bun.sleep(settleMs);
      return { anon: procStatusMiB(proc.pid, "RssAnon"), file: procStatusMiB(proc.pid, "RssFile"), uss: ussMiB(proc.pid) };
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureFleets(args: string[]): Promise<void> {
  const flag = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
  };
  const binaries = [resolve(flag("--binary", join(import.meta.dir, "../dist/orchestrator")))];
  if (args.includes("--vs")) binaries.push(resolve(flag("--vs", "")));
  const sizes = flag("--sizes", "200,999").split(",").map(Number);
  const runs = Number(flag("--runs", "3"));
  const base = Number(flag("--base-port", "29000"));
  const settle = Number(flag("--settle", "5000"));
  const defaults = flag("--defaults", "health: { interval: 5s, timeout: 2s }");
  const tinyhttp = process.env.TINYHTTP ?? "/tmp/bench-work/tinyhttp";
  for (const path of [tinyhttp, ...binaries]) if (!existsSync(path)) throw new Error(`pipe-memory: expected ${path} to exist`);
  const samples = new Map<string, FleetSample[]>();
  for (let run = 0; run < runs; run++)
    for (const binary of binaries)
      for (const n of sizes) {
        const sample = await sampleFleet(binary, n, base, settle, tinyhttp, defaults);
        const key = `${binary} ${n}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        console.log(`run ${run + 1} ${binary} N=${n}: RssAnon ${sample.anon.toFixed(1)} MiB, RssFile ${sample.file.toFixed(1)} MiB, USS ${sample.uss.toFixed(1)} MiB`);
      }
  const lo = sizes[0]!;
  const hi = sizes.at(-1)!;
  for (const binary of binaries) {
    const at = (n: number, field: keyof FleetSample) => median(samples.get(`${binary} ${n}`)!.map((s) => s[field]));
    const perService = (field: keyof FleetSample) => (((at(hi, field) - at(lo, field)) * 1024) / (hi - lo)).toFixed(1);
    console.log(
      `${binary}: medians of ${runs}: ` +
        sizes.map((n) => `N=${n} RssAnon ${at(n, "anon").toFixed(1)} USS ${at(n, "uss").toFixed(1)} MiB`).join("; ") +
        `; per added service: RssAnon ${perService("anon")} KiB, USS ${perService("uss")} KiB`,
    );
  }
}

const mode = process.argv[2];
if (mode === "fleet") {
  await measureFleets(process.argv.slice(3));
  process.exit(0);
}
if (mode) {
  if (!(MODES as readonly string[]).includes(mode)) throw new Error(`pipe-memory: expected one of ${MODES.join(", ")}, got "${mode}"`);
  await measure(mode);
  process.exit(0);
}
console.log(`pipe-memory: ${N} children per mode, Bun ${Bun.version}`);
for (const each of MODES) {
  const child = Bun.spawn([process.execPath, import.meta.path, each], { stdout: "inherit", stderr: "inherit" });
  await child.exited;
}
