/**
 * Counts the orchestrator's live JS objects over time, to tell a JS leak from native memory.
 * It runs the fleet in this process (the compiled binary cannot be asked for a heap count):
 * the chaos manifest and fleet, real services, real probes, API requests through the real
 * Elysia app (`app.handle`, so no socket), and optionally one `kill -9` every --kill-every ms.
 * Every minute: a full GC, then `bun:jsc` heapStats(); prints object counts and the types
 * that grew since minute 0.
 *
 * --census FILE writes minute 0's count of every type as JSON, to compare two fleet sizes
 * (what each added service costs, by type); --base-port picks the ports (default: a free
 * range found at random); with --snapshot the census also holds a full heap snapshot
 * (`Bun.generateHeapSnapshot()`, JSC's format: nodes of [id, size, class, flags], edges of
 * [from, to, type, name]), to find which objects hold what per service.
 *
 *   bun bench/heap-objects.ts [--services 100] [--minutes 10] [--rate 20] [--kill-every 1000] [--base-port 29000] [--census FILE [--snapshot]]
 */
import { heapStats } from "bun:jsc";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApi } from "../src/api/create-api";
import { Fleet } from "../src/app/fleet";
import { FleetPort } from "../src/app/fleet-port";
import { createLogger } from "../src/lib/logger";
import { loadConfigSync } from "../src/manifest/load";
import { freePortRange, installService, manifest, resolveService } from "./chaos";
import { generateFleet } from "./gen-fleet";
import { procStatusMiB } from "./measure";

const args = new Map<string, number>();
const argv = process.argv.slice(2);
const censusAt = argv.indexOf("--census");
const censusFile = censusAt >= 0 ? argv.splice(censusAt, 2)[1] : undefined;
const snapshotAt = argv.indexOf("--snapshot");
const withSnapshot = snapshotAt >= 0;
if (withSnapshot) argv.splice(snapshotAt, 1);
if (withSnapshot && !censusFile) {
  console.error("heap-objects: --snapshot goes into the census: expected --census FILE beside it");
  process.exit(2);
}
for (let i = 0; i < argv.length; i += 2) {
  const value = Number(argv[i + 1]);
  if (!["--services", "--minutes", "--rate", "--kill-every", "--base-port"].includes(argv[i]!) || !Number.isFinite(value) || value < 0) {
    console.error(`heap-objects: expected --services N, --minutes N, --rate N --kill-every MS, --base-port N or --census FILE, got ${argv[i]} ${argv[i + 1] ?? ""}`);
    process.exit(2);
  }
  args.set(argv[i]!, value);
}
const services = args.get("--services") ?? 100;
const minutes = args.get("--minutes") ?? 10;
const rate = args.get("--rate") ?? 20;
const killEvery = args.get("--kill-every") ?? 0;

const dir = mkdtempSync(join(tmpdir(), "orch-heap-"));
const service = resolveService(undefined, false, (line) => console.error(line));
const [, command] = installService(dir, service.kind, service.source);
const basePort = args.get("--base-port") ?? freePortRange(services + 1);
generateFleet(services, dir, basePort + 1, command);
writeFileSync(join(dir, "orchestrator.yaml"), manifest(services, basePort));
const loaded = loadConfigSync(join(dir, "orchestrator.yaml"), { env: process.env as Record<string, string> });
if (!loaded.config) throw new Error(`heap-objects: the generated manifest did not load: ${JSON.stringify(loaded.issues)}`);
const config = loaded.config;
const { logger } = createLogger({ format: "json", fd: 2, level: "warn" });
const fleet = new Fleet(config, { logger, processEnv: process.env as Record<string, string> });
const app = createApi(new FleetPort(fleet, async () => ({ ok: true }) as never), { ...config.api });

let stop = false;
let kills = 0;
let requests = 0;
const get = async (path: string) => (await app.handle(new Request(`http://${config.api.host}${path}`))).json();
try {
  await fleet.start();
  if (rate > 0) {
    void (async () => {
      for (let i = 0; !stop; i++) {
        await get(i % 2 ? "/orchestrator/services" : "/orchestrator/status");
        requests++;
        await Bun.sleep(1000 / rate);
      }
    })();
  }
  if (killEvery > 0) {
    void (async () => {
      while (!stop) {
        await Bun.sleep(killEvery);
        // only healthy services back at attempt 0, as in bench/chaos.ts; their pids are our children
        const rows = ((await get("/orchestrator/services")) as { state: string; attempt: number; pid: number | null }[]).filter((r) => r.state === "healthy" && r.attempt === 0 && r.pid);
        const row = rows[Math.floor(Math.random() * rows.length)];
        if (!row || stop) continue;
        process.kill(row.pid!, "SIGKILL");
        kills++;
      }
    })();
  }
  let base: Record<string, number> | null = null;
  console.log(`heap-objects: ${services} ${service.kind} services, ${rate} requests/s, ${killEvery ? `a kill -9 every ${killEvery} ms` : "no kills"}, ${minutes} min`);
  for (let m = 0; m <= minutes; m++) {
    if (m > 0) await Bun.sleep(60_000);
    Bun.gc(true);
    const h = heapStats();
    if (!base && censusFile) writeFileSync(censusFile, JSON.stringify({ services, heapSize: h.heapSize, objectCount: h.objectCount, types: h.objectTypeCounts, ...(withSnapshot ? { snapshot: Bun.generateHeapSnapshot() } : {}) }));
    base ??= { ...h.objectTypeCounts };
    const grown = Object.entries(h.objectTypeCounts)
      .map(([type, n]) => [type, n - (base![type] ?? 0)] as const)
      .filter(([, n]) => Math.abs(n) > 50)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6);
    console.log(
      `minute ${m}: ${kills} kills, ${requests} requests; objects ${h.objectCount}, JS heap ${(h.heapSize / 1048576).toFixed(1)} MiB, RSS ${procStatusMiB("self").toFixed(1)} MiB (anonymous ${procStatusMiB("self", "RssAnon").toFixed(1)}); since minute 0: ${grown.map(([t, n]) => `${t} ${n > 0 ? "+" : ""}${n}`).join(", ") || "nothing over 50"}`,
    );
  }
} finally {
  stop = true;
  await fleet.shutdown();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
