/**
 * How `orchestrator check` scales with the number of services written in one manifest.
 * Writes a manifest of N services (command strings and argv, env with `${VAR}` references,
 * ports, phases, every tenth service depending on one five before it, health probes,
 * restart policies) and reports, per size, the median of RUNS runs of
 *   - `dist/orchestrator check -c FILE` (wall time, process start included), and
 *   - the in-process loader (`loadConfigSync`, the same pipeline without process start; its
 *     first run, before the JIT has warmed up, is reported apart).
 *
 *   npm run build && bun bench/manifest-scale.ts [--sizes 1000,5000,10000,20000,30000] [--runs 5]
 *       [--binary dist/orchestrator] [--root .] [--warnings] [--lean] [--timeout 120]
 *
 * `--root DIR` loads `DIR/src/manifest/load.ts` (e.g. an older checkout) for the in-process
 * figure; `--warnings` gives every service an unset `${VAR}` (one positioned warning each),
 * which exercises the issue path; `--lean` writes one short flow-style line per service instead;
 * `--timeout S` gives up on a run after S seconds.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface ManifestShape {
  /** Give every service an unset variable (one warning per service). */
  warnings?: boolean;
  /** One flow-style line per service (argv, port, every tenth a dependency): about 50 bytes each. */
  lean?: boolean;
}

/** The name of service `i` in a manifest of `n` services. */
export function serviceName(i: number, n: number): string {
  return `svc-${String(i).padStart(Math.max(3, String(n - 1).length), "0")}`;
}

/** A manifest of `n` services as YAML text (block style, as people write it). */
export function generateManifest(n: number, shape: ManifestShape = {}): string {
  const phases = ["critical", "core", "intelligence", "b2b", "user-facing"];
  const out: string[] = [
    "version: 1",
    `name: scale-${n}`,
    "api: { host: 127.0.0.1, port: 9000 }",
    "discovery: { roots: [] }",
    "state: { dir: .state }",
    "defaults:",
    "  health: { endpoints: [/health, /status], interval: 5s, timeout: 2s, failureThreshold: 3 }",
    "  restart: { policy: on-failure, backoff: [1s, 5s, 30s] }",
    "services:",
  ];
  for (let i = 0; i < n; i++) {
    const name = serviceName(i, n);
    const port = 10000 + i;
    if (shape.lean) {
      out.push(`  ${name}: { command: [sleep, "1"], port: ${port}${i % 10 === 7 && i >= 5 ? `, dependsOn: [${serviceName(i - 5, n)}]` : ""} }`);
      continue;
    }
    // Phases never go down along a dependency (i depends on i - 5, in the same or an earlier phase).
    const phase = phases[Math.min(phases.length - 1, Math.floor((i / n) * phases.length))];
    out.push(`  ${name}:`);
    if (i % 3 === 0) out.push(`    command: [sleep, "3600"]`);
    else out.push(`    command: "PORT=\${PORT:-${port}} exec sleep 3600"`);
    out.push("    cwd: .");
    out.push("    env:");
    out.push("      LOG_LEVEL: info");
    out.push(`      REGION: "\${REGION:-eu-west-1}"`);
    out.push(`      SERVICE_NAME: ${name}`);
    if (shape.warnings) out.push(`      TRACE_URL: "\${TRACE_URL_${i}}"`);
    out.push(`    port: ${port}`);
    out.push(`    phase: ${phase}`);
    if (i % 10 === 7 && i >= 5) out.push(`    dependsOn: [${serviceName(i - 5, n)}]`);
    if (i % 4 === 1) out.push(`    health: { http: /healthz, interval: 10s }`);
    if (i % 5 === 2) out.push("    restart: { policy: always }");
    if (i % 7 === 3) out.push("    shutdown: { signal: SIGINT, timeout: 5s }");
  }
  return out.join("\n") + "\n";
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function timeBinary(binary: string, file: string, timeoutS: number): Promise<number | null> {
  const t0 = performance.now();
  const proc = Bun.spawn([binary, "check", "-c", file], { stdout: "ignore", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutS * 1000);
  const stderr = await new Response(proc.stderr).text();
  const code = await proc.exited;
  clearTimeout(timer);
  const ms = performance.now() - t0;
  if (proc.signalCode === "SIGKILL") return null;
  if (code !== 0) throw new Error(`check exited ${code}: ${stderr.slice(0, 400)}`);
  return ms;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sizes = (flag(args, "sizes") ?? "1000,5000,10000,20000,30000").split(",").map(Number);
  const runs = Number(flag(args, "runs") ?? 5);
  const binary = resolve(flag(args, "binary") ?? join(import.meta.dir, "../dist/orchestrator"));
  const root = resolve(flag(args, "root") ?? join(import.meta.dir, ".."));
  const timeoutS = Number(flag(args, "timeout") ?? 120);
  const warnings = args.includes("--warnings");
  const lean = args.includes("--lean");
  const { loadConfigSync } = (await import(join(root, "src/manifest/load.ts"))) as typeof import("../src/manifest/load");
  const dir = mkdtempSync(join(tmpdir(), "orch-manifest-scale-"));
  try {
    for (const n of sizes) {
      const file = join(dir, `scale-${n}.yaml`);
      const text = generateManifest(n, { warnings, lean });
      writeFileSync(file, text);
      const bin: number[] = [];
      const lib: number[] = [];
      let gaveUp = false;
      for (let r = 0; r < runs && !gaveUp; r++) {
        const ms = await timeBinary(binary, file, timeoutS);
        if (ms === null) gaveUp = true;
        else bin.push(ms);
      }
      for (let r = 0; r < runs && !gaveUp; r++) {
        const t0 = performance.now();
        const result = loadConfigSync(file, { env: { PATH: process.env.PATH } });
        lib.push(performance.now() - t0);
        if (!result.config) throw new Error(`expected ${n} services to load, got ${result.issues.length} issues: ${result.issues[0]?.message}`);
        if (performance.now() - t0 > timeoutS * 1000) gaveUp = true;
      }
      const row = {
        services: n,
        bytes: text.length,
        shape: lean ? "lean" : warnings ? "warnings" : "rich",
        runs,
        checkBinaryMedianMs: gaveUp ? `> ${timeoutS * 1000}` : +median(bin).toFixed(1),
        loaderMedianMs: gaveUp ? null : +median(lib).toFixed(1),
        loaderFirstMs: lib.length > 0 ? +lib[0].toFixed(1) : null, // before the JIT has warmed up, as in a fresh process
      };
      console.log(JSON.stringify(row));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
