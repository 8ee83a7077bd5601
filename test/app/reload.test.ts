/** reloadFleet on real processes: fixture services from a manifest in a tmp dir, rewritten between reloads. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Fleet } from "../../src/app/fleet";
import { reloadFleet } from "../../src/app/reload";
import { loadConfigSync } from "../../src/manifest/load";
import { fixtureCommand, freePort, isGone, killPids, waitFor, waitGone } from "../helpers/processes";

const dir = mkdtempSync(join(tmpdir(), "orch-reload-"));
const file = join(dir, "orchestrator.yaml");
const seen = new Set<number>();
const env = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };

afterAll(async () => {
  killPids([...seen]);
  await waitGone([...seen], 3000);
  rmSync(dir, { recursive: true, force: true });
});

interface Spec {
  port: number;
  env?: Record<string, string>;
  restart?: string;
}

/** A manifest of healthy.ts services; JSON values are valid YAML, one key per line so issues have distinct positions. */
function writeManifest(services: Record<string, Spec>): void {
  const lines = [
    "version: 1",
    "name: reload-test",
    "discovery: { roots: [] }",
    "state: { dir: state }",
    "defaults:",
    "  health: { interval: 200ms, timeout: 500ms, failureThreshold: 2 }",
    "  restart: { backoff: [0ms, 50ms, 50ms, 50ms, 50ms, 50ms, 50ms], resetAfter: 5m }",
    "  shutdown: { timeout: 2s }",
    "services:",
  ];
  for (const [name, spec] of Object.entries(services)) {
    lines.push(`  ${name}:`, `    command: ${JSON.stringify(fixtureCommand("healthy.ts"))}`, `    port: ${spec.port}`, "    health: { http: /health }");
    if (spec.env) lines.push(`    env: ${JSON.stringify(spec.env)}`);
    if (spec.restart) lines.push(`    restart: { policy: ${spec.restart} }`);
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
}

function readEnviron(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
}

describe("reloadFleet with real processes", () => {
  test("adds, removes and restarts services from the rewritten manifest; a broken one changes nothing", async () => {
    const ports = { keep: freePort(), gone: freePort(), edit: freePort(), added: freePort() };
    writeManifest({ keep: { port: ports.keep }, gone: { port: ports.gone }, edit: { port: ports.edit, env: { LOG_LEVEL: "info" } } });
    const loaded = loadConfigSync(file, { env });
    expect(loaded.issues.filter((i) => i.severity === "error")).toEqual([]);
    const fleet = new Fleet(loaded.config!, { processEnv: env });
    const pid = (name: string) => fleet.supervisor.service(name).pid;
    const record = () => fleet.supervisor.snapshot({ history: false }).services.forEach((s) => s.pid && seen.add(s.pid));
    try {
      expect((await fleet.start()).outcome).toBe("ready");
      record();
      const before = { keep: pid("keep")!, gone: pid("gone")!, edit: pid("edit")! };
      expect(readEnviron(before.edit)).toContain("LOG_LEVEL=info");

      writeManifest({ keep: { port: ports.keep }, edit: { port: ports.edit, env: { LOG_LEVEL: "debug" } }, added: { port: ports.added } });
      const outcome = await reloadFleet(fleet, { env });
      record();
      expect(outcome).toEqual({
        ok: true,
        diff: { added: ["added"], removed: ["gone"], changed: [{ name: "edit", fields: ["env.LOG_LEVEL"] }], updated: [], unchanged: ["keep"], ignored: [] },
      });
      expect(pid("keep")).toBe(before.keep);
      expect(await waitGone([before.gone, before.edit], 5000)).toEqual([]);
      expect(fleet.supervisor.names).not.toContain("gone");
      await waitFor(() => fleet.supervisor.service("edit").state === "healthy" && fleet.supervisor.service("added").state === "healthy", 10_000, "edit and added to be healthy");
      record();
      const after = { keep: pid("keep")!, edit: pid("edit")!, added: pid("added")! };
      expect(after.edit).not.toBe(before.edit);
      expect(readEnviron(after.edit)).toContain("LOG_LEVEL=debug");
      expect(readEnviron(after.added)).toContain(`PORT=${ports.added}`);
      expect(await (await fetch(`http://127.0.0.1:${ports.added}/health`)).text()).toBe("ok");
      expect(fleet.config.services.map((s) => s.name)).toEqual(["added", "edit", "keep"]);

      // Broken: a port that is not a number. Rejected with positions; nothing moves.
      writeFileSync(file, readFileSync(file, "utf8").replace(`port: ${ports.keep}`, "port: eighty"));
      const rejected = await reloadFleet(fleet, { env });
      expect(rejected.ok).toBe(false);
      const issues = rejected.ok ? [] : rejected.issues;
      const portIssue = issues.find((i) => i.path === "services.keep.port");
      expect(portIssue).toMatchObject({ file, severity: "error" });
      expect(portIssue!.line).toBe(readFileSync(file, "utf8").split("\n").indexOf("    port: eighty") + 1);
      expect(portIssue!.col).toBeGreaterThan(0);
      expect({ keep: pid("keep"), edit: pid("edit"), added: pid("added") }).toEqual(after);
      expect(fleet.config.services.map((s) => s.name)).toEqual(["added", "edit", "keep"]);

      // Concurrent calls: the first runs, the next two share one reload that reads the file after it.
      writeManifest({ keep: { port: ports.keep, restart: "always" }, edit: { port: ports.edit, env: { LOG_LEVEL: "debug" } }, added: { port: ports.added } });
      const calls = [reloadFleet(fleet, { env }), reloadFleet(fleet, { env }), reloadFleet(fleet, { env })];
      expect(calls[1]).toBe(calls[2]);
      const [first, second] = await Promise.all(calls);
      expect(first).toMatchObject({ ok: true, diff: { updated: [{ name: "keep", fields: ["restart.policy"] }], changed: [] } });
      expect(second).toMatchObject({ ok: true, diff: { updated: [], changed: [], unchanged: ["added", "edit", "keep"] } });
      expect({ keep: pid("keep"), edit: pid("edit"), added: pid("added") }).toEqual(after);
    } finally {
      record();
      await fleet.shutdown();
    }
    expect(await waitGone([...seen], 5000)).toEqual([]);
    expect([...seen].every(isGone)).toBe(true);
  }, 60_000);
});
