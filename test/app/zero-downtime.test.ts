/**
 * SPEC §15 on real processes and real sockets: replicas behind the built-in proxy, a client
 * loop hammering the proxy port (one TCP connection per request) while instances are
 * restarted, reloaded with a new env, and a reload that never becomes ready is rolled back.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { reloadFleet } from "../../src/app/reload";
import { createFleetRun, writeFleetManifest, type FleetRun, type ServiceSpec } from "../helpers/fleet-harness";
import { fixtureCommand } from "../helpers/processes";
import { freeRange, get, hammer } from "../helpers/proxy-client";

let run: FleetRun | null = null;
afterEach(async () => {
  await run?.cleanup();
  run = null;
});

function webSpec(base: number, extra: Record<string, unknown> = {}): ServiceSpec {
  return { command: fixtureCommand("replica-echo.ts"), port: base, replicas: 2, proxy: { port: base + 10 }, health: { http: "/health", interval: "200ms" }, startupTimeout: "3s", ...extra };
}

const pidsOf = (r: FleetRun, group: string) => r.fleet.supervisor.upstreams(group).map((u) => r.pid(u.name));

describe("replicas", () => {
  test("web@1 and web@2 get port + i - 1, PORT and ORCHESTRATOR_REPLICA, and the proxy balances over both", async () => {
    const base = freeRange(12);
    run = createFleetRun({ web: webSpec(base) });
    await run.fleet.start();
    expect(run.fleet.supervisor.names).toEqual(["web@1", "web@2"]);
    expect(run.fleet.supervisor.service("web@2").config.port).toBe(base + 1);
    expect(await get(base)).toStartWith(`1 ${base} hello`);
    expect(await get(base + 1)).toStartWith(`2 ${base + 1} hello`);
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add((await get(base + 10)).split(" ")[0]);
    expect([...seen].sort()).toEqual(["1", "2"]);
    const proxy = run.port.stats().proxies![0];
    expect(proxy.group).toBe("web");
    expect(proxy.instances["web@1"].connections + proxy.instances["web@2"].connections).toBeGreaterThanOrEqual(10);
  }, 30_000);

  test("restart of the group behind a proxy: no failed request, every instance on a new pid", async () => {
    const base = freeRange(12);
    run = createFleetRun({ web: webSpec(base) });
    await run.fleet.start();
    const before = pidsOf(run, "web");
    const load = hammer(base + 10);
    await Bun.sleep(200);
    await run.fleet.supervisor.restart("web").done;
    const result = await load.stop(300);
    expect(result.failed).toEqual([]);
    expect(result.ok).toBeGreaterThanOrEqual(300);
    const after = pidsOf(run, "web");
    expect(after).toHaveLength(2);
    for (const pid of after) expect(before).not.toContain(pid);
    // the replacements listen on spare ports from port + replicas upward
    for (const u of run.fleet.supervisor.upstreams("web")) expect(u.port).toBeGreaterThanOrEqual(base + 2);
  }, 60_000);

  test("a reload that changes env replaces each instance with no failed request; the new env answers", async () => {
    const base = freeRange(12);
    run = createFleetRun({ web: webSpec(base) });
    await run.fleet.start();
    const before = pidsOf(run, "web");
    const load = hammer(base + 10);
    writeFleetManifest(run.dir, { web: webSpec(base, { env: { GREETING: "bonjour" } }) });
    const outcome = await reloadFleet(run.fleet, { env: process.env, wait: true });
    const result = await load.stop(300);
    expect(outcome.ok && outcome.diff.changed.map((c) => c.name)).toEqual(["web@1", "web@2"]);
    expect(outcome.ok && outcome.diff.ready).toEqual(["web@1", "web@2"]);
    expect(result.failed).toEqual([]);
    expect(await get(base + 10)).toContain("bonjour");
    for (const pid of pidsOf(run, "web")) expect(before).not.toContain(pid);
  }, 60_000);

  test("a reload whose new config is never ready is rolled back: the old instances serve throughout", async () => {
    const base = freeRange(12);
    run = createFleetRun({ web: webSpec(base, { startupTimeout: "1500ms" }) });
    await run.fleet.start();
    const before = pidsOf(run, "web");
    const load = hammer(base + 10);
    writeFleetManifest(run.dir, { web: webSpec(base, { startupTimeout: "1500ms", env: { NOT_READY: "1", GREETING: "broken" } }) });
    const outcome = await reloadFleet(run.fleet, { env: process.env, wait: true });
    const result = await load.stop(300);
    expect(outcome.ok && outcome.diff.rolledBack).toEqual(["web@1", "web@2"]);
    expect(result.failed).toEqual([]);
    expect([...result.bodies].some((b) => b.includes("broken"))).toBe(false);
    expect(pidsOf(run, "web")).toEqual(before);
    expect(run.events.filter((e) => e.type === "healing" && e.payload.action === "rolled-back").map((e) => e.type === "healing" && e.payload.service)).toEqual(["web@1", "web@2"]);
    // the live config is the one that runs: the previous env
    expect(run.fleet.config.services.find((s) => s.name === "web@1")!.env.GREETING).toBeUndefined();
  }, 60_000);

  test("the group name acts on every instance: stop web stops both, start web starts both", async () => {
    const base = freeRange(12);
    run = createFleetRun({ web: webSpec(base) });
    await run.fleet.start();
    const stop = run.port.act("stop", "web");
    expect(stop.service).toBe("web");
    await stop.done;
    expect([run.state("web@1"), run.state("web@2")]).toEqual(["stopped", "stopped"]);
    await run.port.act("start", "web").done;
    expect([run.state("web@1"), run.state("web@2")]).toEqual(["healthy", "healthy"]);
    expect(() => run!.port.act("restart", "nope")).toThrow(/nope/);
  }, 30_000);

  test("drain: a long-lived connection to an instance being replaced completes", async () => {
    const base = freeRange(12);
    run = createFleetRun({ web: webSpec(base, { replicas: 1, shutdown: { timeout: "5s" } }) });
    await run.fleet.start();
    const before = run.pid("web@1");
    const slow = get(base + 10, "/slow?ms=1500");
    await Bun.sleep(200);
    await run.fleet.supervisor.restart("web@1").done;
    const body = await slow;
    expect(body).toStartWith("begin 1 ");
    expect(body).toEndWith(String(before));
    expect(run.pid("web@1")).not.toBe(before);
  }, 30_000);
});
