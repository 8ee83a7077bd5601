/**
 * References in the compiled binary (SPEC §13): a redis-like service takes its port from
 * `${self.port}` in its argv and is probed by `health: { tcp: true }`; an app finds it through
 * `${services.redis.port}` in its env. A reload that moves redis to another port restarts the
 * app with the new value in its environment (POST /orchestrator/reload, real processes).
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { BinaryRun, ensureBinary, writeFleetDir, type LogRecord } from "../helpers/binary-run";
import { fixtureCommand, freePort, waitFor } from "../helpers/processes";

const runs: BinaryRun[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
});

const FAST = { health: { interval: "200ms", timeout: "500ms", failureThreshold: 2 }, shutdown: { timeout: "2s" } };

function manifest(apiPort: number, redisPort: number, appPort: number): Record<string, unknown> {
  return {
    version: 1,
    name: "refs",
    api: { host: "127.0.0.1", port: apiPort },
    discovery: { roots: [] },
    state: { dir: "state" },
    defaults: FAST,
    services: {
      redis: { command: [...fixtureCommand("port-arg.ts"), "--port", "${self.port}"], port: redisPort, health: { tcp: true } },
      app: { command: fixtureCommand("print-env.ts"), port: appPort, dependsOn: ["redis"], env: { REDIS_URL: "redis://127.0.0.1:${services.redis.port}/0" } },
    },
  };
}

/** The REDIS_URL of each start of the app, from the `ENV {...}` line print-env.ts prints. */
function redisUrls(run: BinaryRun): string[] {
  return run.records
    .filter((r: LogRecord) => r.service === "app" && typeof r.msg === "string" && r.msg.startsWith("ENV "))
    .map((r) => (JSON.parse((r.msg as string).slice(4)) as Record<string, string>).REDIS_URL);
}

function latestPid(run: BinaryRun, service: string): number | undefined {
  return run.transitions().filter((t) => t.service === service && typeof t.pid === "number").at(-1)?.pid;
}

/** What a PING on 127.0.0.1:port gets: "+PONG" from the fixture, or the connection error's code. */
function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(2000, () => (socket.destroy(), resolve("timeout")));
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => (socket.end(), resolve(data.toString().trim())));
  });
}

describe("references (compiled binary)", () => {
  test("${self.port} in argv and tcp: true start and probe redis; a reload that moves it restarts the app with the new ${services.redis.port}", async () => {
    const [apiPort, portA, portB, appPort] = [freePort(), freePort(), freePort(), freePort()];
    const dir = writeFleetDir(manifest(apiPort, portA, appPort));
    const run = new BinaryRun(dir, ["up"]);
    runs.push(run);
    await run.waitRecord((r) => r.msg === "SYSTEM READY", 20_000, "SYSTEM READY");
    expect(redisUrls(run)).toEqual([`redis://127.0.0.1:${portA}/0`]);
    expect(await ping(portA)).toBe("+PONG");
    const [redisBefore, appBefore] = [latestPid(run, "redis"), latestPid(run, "app")];
    const api = `http://127.0.0.1:${apiPort}`;
    const details = (await (await fetch(`${api}/orchestrator/services/redis`)).json()) as { config: { command: string[]; health: { check: unknown } } };
    expect(details.config.command.slice(-2)).toEqual(["--port", String(portA)]);
    expect(details.config.health.check).toEqual({ kind: "tcp", port: portA, host: "127.0.0.1" });

    writeFileSync(join(dir, "orchestrator.yaml"), JSON.stringify(manifest(apiPort, portB, appPort)));
    const response = await fetch(`${api}/orchestrator/reload`, { method: "POST" });
    expect(response.status).toBe(200);
    const diff = (await response.json()) as { changed: { name: string; fields: string[] }[]; updated: unknown[]; unchanged: string[] };
    expect(diff.changed).toEqual([
      { name: "app", fields: ["env.REDIS_URL"] },
      { name: "redis", fields: ["command", "env.PORT", "port", "health"] },
    ]);

    await waitFor(() => redisUrls(run).length === 2, 20_000, "the app's second start");
    expect(redisUrls(run)).toEqual([`redis://127.0.0.1:${portA}/0`, `redis://127.0.0.1:${portB}/0`]);
    await run.waitRecord((r) => r.event === "service" && r.service === "app" && r.to === "healthy" && r.pid !== appBefore, 20_000, "the new app healthy");
    expect(latestPid(run, "app")).not.toBe(appBefore);
    expect(latestPid(run, "redis")).not.toBe(redisBefore);
    expect(await ping(portB)).toBe("+PONG");
    expect(await ping(portA)).toBe("ECONNREFUSED");
    const app = (await (await fetch(`${api}/orchestrator/services/app`)).json()) as { config: { env: Record<string, string> } };
    expect(app.config.env.REDIS_URL).toBe(`redis://127.0.0.1:${portB}/0`);
  }, 60_000);

  test("check and up report a reference to an unknown service where it is written, and nothing starts", async () => {
    const services = { redis: { command: ["true"], port: freePort() }, app: { command: ["true"], env: { REDIS_URL: "redis://127.0.0.1:${services.redsi.port}" } } };
    const dir = writeFleetDir({ version: 1, discovery: { roots: [] }, api: { port: freePort() }, state: { dir: "state" }, services });
    const expected = 'orchestrator.yaml:24:22 services.app.env.REDIS_URL: ${services.redsi.port}: no service "redsi" (did you mean "redis"?)\n1 problem found; nothing was started\n';
    for (const command of ["check", "up"]) {
      const run = new BinaryRun(dir, [command]);
      runs.push(run);
      expect(await run.exited).toBe(2);
      expect(await run.stderrText).toBe(expected);
    }
  }, 20_000);
});
