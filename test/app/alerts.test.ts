/** Alerts and crash context on a real fleet: an endpoint that never answers does not slow healing; stats and metrics show it, redacted. */
import { afterAll, afterEach, expect, test } from "bun:test";
import { renderMetrics } from "../../src/api/metrics";
import { createFleetRun, type FleetRun } from "../helpers/fleet-harness";
import { waitFor } from "../helpers/processes";

let run: FleetRun | null = null;
afterEach(async () => {
  await run?.cleanup();
  run = null;
});

// Accepts every alert and never answers: each POST hangs until its timeout.
let hanging = 0;
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () => {
    hanging++;
    return new Promise<Response>(() => {});
  },
});
afterAll(() => receiver.stop(true));

test("a crashing service is healed at full speed while its alert hangs; the crash context is its last lines", async () => {
  const url = `http://127.0.0.1:${receiver.port}/hooks/T000/secret-token`;
  run = createFleetRun(
    { crashy: { fixture: "crash-after.ts", env: { CRASH_AFTER_MS: 300 }, health: false } },
    { alerts: [{ url, events: ["failure"], minInterval: 0 }], circuitBreaker: { failureThreshold: 100 } },
  );
  void run.fleet.start();
  await waitFor(() => run!.fleet.store.healing({ service: "crashy" }).filter((h) => h.action === "restarted").length >= 3, 15_000, "three restarts");
  expect(hanging).toBeGreaterThanOrEqual(1);
  const stats = run.port.stats().alerts!;
  expect(stats).toHaveLength(1);
  expect(stats[0]).toMatchObject({ target: `http://127.0.0.1:${receiver.port}/…`, format: "json", sent: 0 });
  expect(stats[0].pending).toBeGreaterThanOrEqual(3);
  const metrics = renderMetrics(run.port);
  expect(metrics).toMatch(new RegExp(`orchestrator_alerts_pending\\{endpoint="0",target="http://127.0.0.1:${receiver.port}/…",format="json"\\} [3-9]`));
  expect(JSON.stringify(run.port.stats()) + metrics).not.toContain("secret-token");

  const detected = run.fleet.store.healing({ service: "crashy" }).find((h) => h.action === "detected")!;
  expect(detected).toMatchObject({ cause: "exit", exitCode: 1 });
  expect(detected.context!.map((l) => `${l.stream} ${l.line}`)).toEqual([expect.stringMatching(/^stdout crash-after: pid \d+, exiting with 1 in 300 ms$/), "stderr crash-after: crashing with code 1"]);
}, 30_000);

test("three real services SIGKILLed together: one incident event naming their common upstream, and one incident alert", async () => {
  const received: { kind: string; services?: string[]; upstream?: string }[] = [];
  const sink = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (req) => {
      received.push((await req.json()) as (typeof received)[number]);
      return new Response("ok");
    },
  });
  try {
    const dependent = { fixture: "healthy.ts", dependsOn: ["db"] };
    run = createFleetRun(
      { db: { fixture: "healthy.ts" }, api: dependent, worker: dependent, web: dependent },
      { alerts: [{ url: `http://127.0.0.1:${sink.port}/alerts` }], healing: { incident: { window: "30s", services: 3 } } },
    );
    expect((await run.fleet.start()).outcome).toBe("ready");
    for (const name of ["api", "worker", "web"]) process.kill(run.pid(name)!, "SIGKILL");
    await run.waitEvent((e) => e.type === "incident", 10_000, "an incident");
    await waitFor(() => received.some((a) => a.kind === "incident"), 10_000, "the incident alert");
    const incidents = run.events.filter((e) => e.type === "incident");
    expect(incidents.map((e) => e.payload)).toEqual([expect.objectContaining({ action: "opened", upstream: "db", services: expect.arrayContaining(["api", "worker", "web"]) })]);
    // the failures that joined it were folded into it, not posted: once nothing is pending, one incident alert in all
    await waitFor(() => run!.port.stats().alerts![0]!.pending === 0, 10_000, "no alert pending");
    expect(received.filter((a) => a.kind === "incident")).toHaveLength(1);
    expect(received.find((a) => a.kind === "incident")).toMatchObject({ upstream: "db" });
  } finally {
    sink.stop(true);
  }
}, 30_000);
