/**
 * `orchestrator why NAME` against the REAL compiled binary: a service that crashes on every
 * start is quarantined under `up`, and `why` explains it: state and reason, what it waits
 * for, its upstream, its attempts with exit codes, and the crash context of its last failures.
 */
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Why } from "../../src/contract/why";
import { BINARY, BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixtureCommand, freePort, waitFor } from "../helpers/processes";

ensureBinary();

const apiPort = freePort();
const API = `http://127.0.0.1:${apiPort}`;
const dir = writeFleetDir({
  version: 1,
  name: "why-e2e",
  api: { host: "127.0.0.1", port: apiPort },
  discovery: { roots: [] },
  circuitBreaker: { failureThreshold: 100 },
  services: {
    db: { command: fixtureCommand("healthy.ts"), port: freePort(), phase: 0, health: { http: "/health", interval: "200ms" } },
    crashy: {
      command: fixtureCommand("crash-after.ts"),
      env: { CRASH_AFTER_MS: 50, EXIT_CODE: 3 },
      phase: 1,
      dependsOn: ["db"],
      health: false,
      restart: { backoff: ["0ms"] },
    },
  },
});
const up = new BinaryRun(dir, ["up", "--log-format", "json"]);
afterAll(async () => {
  await up.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn([BINARY, ...args, "--api", API], { cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1" } });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

test("why explains a quarantined service: reason, what it waits for, upstream, attempts with exit codes, crash context", async () => {
  await waitFor(async () => {
    const res = await fetch(`${API}/orchestrator/services/crashy`).catch(() => null);
    return res?.ok === true && (await res.json()).state === "quarantined";
  }, 30_000, "crashy quarantined");
  const text = await cli("why", "crashy");
  expect(text.code).toBe(0);
  const lines = text.out.split("\n");
  expect(lines[0]).toBe("crashy is quarantined: exited with code 3");
  expect(lines[1]).toBe("waiting for: an operator: `orchestrator restart crashy` lifts the quarantine");
  expect(lines.slice(2, 5)).toEqual(["", "upstream", "  db  healthy  breaker closed"]);
  expect(lines).toContain("timeline");
  const timeline = lines.filter((l) => /^ {2}\d\d:\d\d:\d\d/.test(l));
  expect(timeline.filter((l) => l.endsWith("detected: exited with code 3 (exit code 3)") || /detected #\d: exited with code 3 \(exit code 3\)$/.test(l)).length).toBe(8);
  expect(timeline.at(-1)).toMatch(/quarantined #8 \(quarantine\): no more automatic restarts after 7 attempts; last failure: exited with code 3$/);
  const contexts = lines.filter((l) => l.startsWith("crash context of the failure at "));
  expect(contexts.length).toBe(3);
  expect(contexts[0]).toMatch(/\(exited with code 3\)$/);
  expect(lines).toContain("  stderr | crash-after: crashing with code 3");
  expect(lines.some((l) => /^ {2}stdout \| crash-after: pid \d+, exiting with 3 in 50 ms$/.test(l))).toBe(true);

  const json = await cli("why", "crashy", "--json");
  expect(json.code).toBe(0);
  const why = JSON.parse(json.out) as Why;
  expect(why).toMatchObject({ service: "crashy", state: "quarantined", upstream: [{ name: "db", state: "healthy", breaker: "closed", ready: true }] });
  expect(why.attempts.filter((a) => a.action === "detected").every((a) => a.exitCode === 3 && a.cause === "exit")).toBe(true);
  expect(why.crashContext[0].lines.at(-1)).toMatchObject({ stream: "stderr", line: "crash-after: crashing with code 3" });
}, 60_000);

test("why of an unknown service exits 2, as `logs` does, naming the services there are", async () => {
  const result = await cli("why", "nope");
  expect(result.code).toBe(2);
  expect((await cli("logs", "nope")).code).toBe(2);
  expect(result.err).toContain("nope");
  expect(result.err).toContain("crashy");
});
