import { describe, expect, test } from "bun:test";
import { renderSystemd } from "../../src/export";
import { FIXTURE_DIR, makeFleet } from "./make-config";
import { SYSTEMD_ANALYZE as analyze, verifyUnits as verify } from "./validators";

const files = renderSystemd(makeFleet());
const unit = (path: string) => files.find((f) => f.path === path)!.content;
const lines = (path: string, key: string) => unit(path).split("\n").filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

describe("export systemd", () => {
  test("writes a unit per enabled service, the fleet's target and orchestrator.service", () => {
    expect(files.map((f) => f.path)).toEqual([
      "demo-db.service", "demo-auth.service", "demo-migrate.service", "demo-analytics.service",
      "demo-api.service", "demo-worker.service", "demo.target", "orchestrator.service",
    ]);
  });

  test("Requires= and After= follow the graph; an optional dependency is only wanted", () => {
    expect(lines("demo-api.service", "Requires")).toEqual(["demo-auth.service", "demo-migrate.service"]);
    expect(lines("demo-api.service", "Wants")).toEqual(["demo-analytics.service"]);
    expect(lines("demo-api.service", "After")).toEqual(["demo-analytics.service", "demo-auth.service", "demo-migrate.service"]);
    expect(unit("demo-migrate.service")).toContain("Type=oneshot\nRemainAfterExit=yes");
  });

  test("restart, backoff, stop and kill settings", () => {
    expect(lines("demo-auth.service", "Restart")).toEqual(["always"]);
    expect(lines("demo-migrate.service", "Restart")).toEqual(["no"]);
    expect(lines("demo-db.service", "RestartSec")).toEqual(["1s"]);
    expect(lines("demo-db.service", "TimeoutStopSec")).toEqual(["30s"]);
    expect(lines("demo-db.service", "KillSignal")).toEqual(["SIGINT"]);
    expect(lines("demo-db.service", "KillMode")).toEqual(["control-group"]);
    expect(lines("demo-db.service", "TimeoutStartSec")).toEqual(["1m"]);
  });

  test("commands, working directories and environment are installed paths, quoted for systemd", () => {
    expect(lines("demo-auth.service", "ExecStart")).toEqual(["/usr/bin/env npm start"]);
    expect(lines("demo-migrate.service", "ExecStart")).toEqual(['/usr/bin/env sh -c "bun run migrate.ts && echo \\"done $$USER\\""']);
    expect(lines("demo-auth.service", "WorkingDirectory")).toEqual(["/opt/demo/services/auth"]);
    expect(lines("demo-auth.service", "EnvironmentFile")).toEqual(["/opt/demo/services/auth/.env"]);
    expect(lines("demo-auth.service", "Environment")).toContain('"PRICE=$5 or 100%%"');
    expect(lines("demo-auth.service", "ExecStartPost")[0]).toContain("curl -fsS -o /dev/null --max-time 5 http://127.0.0.1:4001/healthz");
    for (const f of files) expect(f.content).not.toContain(FIXTURE_DIR);
  });

  test("orchestrator.service runs the binary as a dedicated, sandboxed user", () => {
    const custom = renderSystemd(makeFleet(), { user: "fleet", binaryPath: "/srv/bin/orchestrator", installDir: "/srv/demo" });
    const text = custom.find((f) => f.path === "orchestrator.service")!.content;
    for (const line of ["User=fleet", "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/srv/demo", "ExecStart=/srv/bin/orchestrator up -c /srv/demo/orchestrator.yaml", "KillMode=mixed"]) {
      expect(text).toContain(`${line}\n`);
    }
  });

  test("every unit names the manifest and what systemd cannot do", () => {
    for (const f of files) expect(f.content).toContain("from orchestrator.yaml (project demo)");
    expect(unit("demo-db.service")).toContain("quarantine");
    expect(unit("demo-db.service")).toContain("circuit breaker");
    expect(unit("demo-db.service")).toContain("systemd does not probe a running service");
  });

  test.skipIf(!analyze)("systemd-analyze verify accepts every unit", () => {
    // verify insists the binary exists; point orchestrator.service at one that does.
    const result = verify(renderSystemd(makeFleet(), { binaryPath: "/bin/sh" }));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  test.skipIf(!analyze)("systemd-analyze verify catches a broken unit (the check can fail)", () => {
    const broken = files.map((f) => (f.path === "demo-db.service" ? { ...f, content: f.content.replace("Type=simple", "Type=sometimes") } : f));
    expect(verify(broken).output).toContain("sometimes");
  });
});

if (!analyze) console.warn("test/export/systemd.test.ts: systemd-analyze not found; `verify` tests skipped (install the systemd package)");
