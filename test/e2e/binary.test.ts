/**
 * The compiled binary, run from a directory with no node_modules in reach: it must carry
 * everything it needs. `npm test` builds it first; a missing binary is built here.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFleet } from "../../bench/gen-fleet";
import { BINARY, ROOT, ensureBinary } from "../helpers/binary-run";

let dir: string;

function run(args: string[], cwd = dir) {
  const p = Bun.spawnSync([BINARY, ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

beforeAll(() => {
  ensureBinary();
  dir = mkdtempSync(join(tmpdir(), "orch-binary-"));
  cpSync(join(ROOT, "services"), join(dir, "services"), { recursive: true });
  cpSync(join(ROOT, "orchestrator.yaml"), join(dir, "orchestrator.yaml"));
});

// (bun's beforeAll ignores a returned cleanup function: the dir was left behind by every run)
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("compiled binary", () => {
  test("runs with no node_modules in reach", () => {
    expect(existsSync(join(dir, "node_modules"))).toBe(false);
    expect(dir.startsWith(ROOT)).toBe(false);
    const r = run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^orchestrator \d+\.\d+\.\d+/);
  });

  test("check passes on the demo fleet", () => {
    const r = run(["check"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("7 services (7 discovered)");
  });

  test("plan lists phase 0 serially before the later phases", () => {
    const r = run(["plan"]);
    expect(r.code).toBe(0);
    expect(r.out.indexOf("data-vault")).toBeLessThan(r.out.indexOf("api-gateway"));
    expect(r.out).toContain("phase 0 critical (serial");
  });

  test("graph and schema print parseable output", () => {
    const json = JSON.parse(run(["graph", "--format", "json"]).out);
    expect(json.nodes).toHaveLength(7);
    expect(json.edges).toContainEqual({ from: "auth", to: "data-vault", condition: "healthy" });
    const schema = JSON.parse(run(["schema"]).out);
    expect(Object.keys(schema.properties)).toContain("services");
  });

  test("a bad manifest exits 2 with positioned messages and no stack trace", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "version: 1\nservices:\n  api:\n    command: [sh]\n    port: eighty\n");
    const r = run(["check", "-c", "bad.yaml"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('bad.yaml:5:11 services.api.port: expected an integer from 1 to 65535, got "eighty"');
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  test("a missing manifest and a usage error exit 2", () => {
    const missing = run(["check", "-c", "nope.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("nope.yaml:1:1 (file): cannot read manifest: no such file");
    const usage = run(["chekc"]);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('did you mean "check"');
  });

  test("output larger than a pipe buffer reaches a slow reader whole (no cut at 64 KiB)", async () => {
    const big = mkdtempSync(join(tmpdir(), "orch-bigfleet-"));
    try {
      generateFleet(1000, big, 30000, "exec sleep 1");
      // A shell pipe whose reader starts late: the kernel pipe (64 KiB) fills before anyone reads.
      const proc = Bun.spawnSync(["sh", "-c", `"${BINARY}" graph --format json | (sleep 0.3; cat)`], { cwd: big, stdout: "pipe", stderr: "pipe" });
      expect(proc.exitCode).toBe(0);
      const text = proc.stdout.toString();
      expect(text.length).toBeGreaterThan(200_000);
      expect(JSON.parse(text).nodes).toHaveLength(1000);
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  });
});
