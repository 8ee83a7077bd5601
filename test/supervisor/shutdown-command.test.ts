/**
 * SPEC §13 shutdown.command reaches every stop, and what a service starts with (account,
 * umask, nice, limits; HOME/USER/LOGNAME) reaches its spawn. The BunSpawner side (the command
 * really runs, MAINPID, as the user) is test/process/run-as.test.ts.
 */
import { describe, expect, test } from "bun:test";
import type { Account, ServiceConfig } from "../../src/contract/config";
import { makeConfig } from "../graph/make-service";
import { createHarness, service } from "./harness";

const COMMAND = "pg_ctl -D /srv/db stop -m fast";
const db = (extra: Partial<ServiceConfig> = {}) => service("db", { shutdown: { signal: "SIGINT", timeoutMs: 60_000, command: COMMAND }, ...extra });
const noBreaker = { configure: (c: { circuitBreaker: { failureThreshold: number } }) => void (c.circuitBreaker.failureThreshold = 1000) };

async function launchHealthy(h: ReturnType<typeof createHarness>, ...names: string[]): Promise<void> {
  void h.supervisor.start();
  h.probes.pass(...names);
  await h.settle();
}

describe("every stop runs shutdown.command instead of the signal", () => {
  test("a manual stop", async () => {
    const h = createHarness([db()]);
    await launchHealthy(h, "db");
    const child = h.spawner.last("db");
    await h.supervisor.stop("db").done;
    expect(child.stopCommands).toEqual([COMMAND]);
    expect(child.signals).toEqual([]);
  });

  test("a manual restart", async () => {
    const h = createHarness([db()]);
    await launchHealthy(h, "db");
    const child = h.spawner.last("db");
    await h.supervisor.restart("db").done;
    expect(child.stopCommands).toEqual([COMMAND]);
    expect(h.spawner.children("db")).toHaveLength(2);
  });

  test("the graceful tier of the ladder (the immediate tier SIGKILLs, as for any service)", async () => {
    const h = createHarness([db()], noBreaker);
    await launchHealthy(h, "db");
    for (let attempt = 1; attempt <= 4; attempt++) {
      const before = h.spawner.last("db");
      h.probes.fail("db", 3);
      await h.settle();
      await h.clock.advance(0);
      if (attempt <= 3) expect(before.signals).toEqual(["SIGKILL"]);
      else expect(before.stopCommands).toEqual([COMMAND]);
      h.probes.pass("db");
      await h.settle();
    }
  });

  test("a dependency restarted by the dependencies tier", async () => {
    const h = createHarness([db(), service("api", { phase: 2, dependsOn: ["db"] })], noBreaker);
    await launchHealthy(h, "db", "api");
    const first = h.spawner.last("db");
    for (let attempt = 1; attempt <= 6; attempt++) {
      h.probes.fail("api", 3);
      await h.settle();
      if (attempt === 6) h.probes.pass("db");
      await h.settle();
      h.probes.pass("api");
      await h.settle();
    }
    expect(first.stopCommands).toEqual([COMMAND]);
    expect(first.signals).toEqual([]);
  });

  test("a reload: the old process stops with the old command, the replacement keeps the new one", async () => {
    const h = createHarness([db({ env: { A: "1" } })]);
    await launchHealthy(h, "db");
    const old = h.spawner.last("db");
    const next = db({ env: { A: "2" }, shutdown: { signal: "SIGINT", timeoutMs: 60_000, command: "pg_ctl stop -m smart" } });
    await h.supervisor.reconcile(makeConfig([next]));
    expect(old.stopCommands).toEqual([COMMAND]);
    h.probes.pass("db");
    await h.settle();
    await h.supervisor.stop("db").done;
    expect(h.spawner.last("db").stopCommands).toEqual(["pg_ctl stop -m smart"]);
  });

  test("the orchestrator's own shutdown", async () => {
    const h = createHarness([db()]);
    await launchHealthy(h, "db");
    const child = h.spawner.last("db");
    await h.supervisor.shutdown();
    expect(child.stopCommands).toEqual([COMMAND]);
  });

  test("without a command the signal is sent, as before", async () => {
    const h = createHarness([service("db", { shutdown: { signal: "SIGINT", timeoutMs: 1000 } })]);
    await launchHealthy(h, "db");
    const child = h.spawner.last("db");
    await h.supervisor.stop("db").done;
    expect(child.signals).toEqual(["SIGINT"]);
    expect(child.stopCommands).toEqual([]);
  });
});

describe("what a service starts with reaches its spawn", () => {
  const account: Account = { user: "postgres", uid: 101, group: "postgres", gid: 104, groups: [104, 103], home: "/var/lib/postgresql" };

  test("account, umask, nice and limits as runAs; HOME, USER and LOGNAME the account's", async () => {
    const h = createHarness([db({ user: "postgres", account, umask: "0027", nice: 5, limits: { memoryBytes: 1 << 30, nofile: 65536, core: 0 } })]);
    await launchHealthy(h, "db");
    const spec = h.spawner.last("db").spec;
    expect(spec.runAs).toEqual({ account, umask: "0027", nice: 5, limits: { nofile: 65536, nproc: undefined, core: 0 } });
    expect(spec.env).toMatchObject({ HOME: "/var/lib/postgresql", USER: "postgres", LOGNAME: "postgres" });
  });

  test("the manifest's own HOME, USER or LOGNAME win", async () => {
    const h = createHarness([db({ user: "postgres", account, env: { HOME: "/srv/db", LOGNAME: "pg" } })]);
    await launchHealthy(h, "db");
    expect(h.spawner.last("db").spec.env).toMatchObject({ HOME: "/srv/db", USER: "postgres", LOGNAME: "pg" });
  });

  test("without these keys: no runAs, and the environment's own HOME", async () => {
    const h = createHarness([service("web")], { overrides: { processEnv: { HOME: "/root", PATH: "/usr/bin" } } });
    await launchHealthy(h, "web");
    const spec = h.spawner.last("web").spec;
    expect(spec.runAs).toBeUndefined();
    expect(spec.env.HOME).toBe("/root");
  });
});
