/**
 * Writes a discovered fleet of N services to DIR (services/<name>/package.json plus an
 * orchestrator.yaml), shaped like ../shared/bench/fleet.sh: every service whose index
 * i % 10 == 7 depends on service i-5 and sits in phase 1.
 *   bun bench/gen-fleet.ts N DIR [BASEPORT] [COMMAND]
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function generateFleet(n: number, dir: string, basePort = 30000, command = "exec sleep 3600"): void {
  rmSync(join(dir, "services"), { recursive: true, force: true });
  mkdirSync(join(dir, "services"), { recursive: true });
  const width = Math.max(3, String(n).length);
  const name = (i: number) => `svc-${String(i).padStart(width, "0")}`;
  for (let i = 0; i < n; i++) {
    const deps = i % 10 === 7 && i >= 5 ? [name(i - 5)] : [];
    const pkg = {
      name: `@fleet/${name(i)}`,
      version: "1.0.0",
      private: true,
      scripts: { start: `PORT=\${PORT:-${basePort + i}} ${command}` },
      orchestrator: { port: basePort + i, dependsOn: deps, phase: deps.length ? 1 : 0 },
    };
    mkdirSync(join(dir, "services", name(i)));
    writeFileSync(join(dir, "services", name(i), "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  }
  writeFileSync(
    join(dir, "orchestrator.yaml"),
    `version: 1\nname: fleet-${n}\napi: { port: ${basePort - 1} }\ndiscovery: { roots: [services] }\nstate: { dir: state }\n`,
  );
}

if (import.meta.main) {
  const [n, dir, base, command] = process.argv.slice(2);
  if (!n || !dir) {
    console.error("usage: bun bench/gen-fleet.ts N DIR [BASEPORT] [COMMAND]");
    process.exit(2);
  }
  generateFleet(Number(n), dir, base ? Number(base) : undefined, command);
}
