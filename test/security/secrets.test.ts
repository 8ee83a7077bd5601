/**
 * Issue 12, item 3: secrets stay secret, against the compiled binary over a real socket.
 * - The API token reaches no service and no exec probe, under whatever name and from whichever
 *   layer (the orchestrator's environment, an envFile, the manifest's `env`).
 * - With a token set, every route that returns service output or history needs it; only the
 *   documented few stay open.
 * - A malformed envFile line is reported by file and line, never by its contents.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixtureCommand, freePort, waitFor } from "../helpers/processes";

const TOKEN = "tok-5f0c1e2d9a8b7c6d5e4f3a2b1c0d";
// an alert webhook given through the orchestrator's environment, as docs/DEPLOYMENT.md says to (the receiver needs not exist)
const WEBHOOK = "http://127.0.0.1:9/services/T0/B0/whsec-9f8e7d6c5b4a";
const SECRET_LINE = "sk_live_51HxYzTHISISASECRETLINE";
const auth = { authorization: `Bearer ${TOKEN}` };

let run: BinaryRun;
let api: string;
let dir: string;

beforeAll(async () => {
  ensureBinary();
  const port = freePort();
  dir = writeFleetDir({
    version: 1,
    name: "secrets",
    api: { host: "127.0.0.1", port, token: "${ORCHESTRATOR_TOKEN}" },
    discovery: { roots: [] },
    state: { dir: "state" },
    alerts: [{ url: "${ALERT_WEBHOOK}" }],
    defaults: { health: { interval: "200ms", timeout: "2s", failureThreshold: 3 }, shutdown: { timeout: "2s" } },
    services: {
      // its exec probe writes the probe's own environment next to the manifest
      printer: {
        command: fixtureCommand("print-env.ts"),
        port: freePort(),
        envFile: "printer.env", // not .env: bun itself would load that one into the fixture
        env: { COPIED_TOKEN: "${ORCHESTRATOR_TOKEN}", PLAIN: "visible" },
        health: { exec: "env > probe-env.txt" },
      },
      broken: { command: fixtureCommand("print-env.ts"), envFile: ".env-bad", optional: true, health: false, restart: { policy: "never" } },
    },
  });
  writeFileSync(join(dir, "printer.env"), `FROM_FILE=${TOKEN}\nFILE_PLAIN=ok\n`);
  writeFileSync(join(dir, ".env-bad"), `GOOD=1\n${SECRET_LINE}\n`);
  run = new BinaryRun(dir, ["up", "--log-format", "json"], { env: { ORCHESTRATOR_TOKEN: TOKEN, INHERITED_COPY: TOKEN, INHERITED_PLAIN: "yes", ALERT_WEBHOOK: WEBHOOK } });
  api = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    const res = await fetch(`${api}/orchestrator/services/printer`, { headers: auth }).catch(() => null);
    return res?.ok === true && ((await res.json()) as { state: string }).state === "healthy";
  }, 30_000, "printer to be healthy");
  await waitFor(async () => ((await (await fetch(`${api}/orchestrator/status`)).json()) as { reasons: string[] }).reasons.some((r) => r.startsWith("broken")), 15_000, "broken to have failed");
}, 60_000);

afterAll(async () => {
  await run?.cleanup();
});

describe("the API token never reaches a service", () => {
  test("the service's environment holds neither ORCHESTRATOR_TOKEN nor any variable with the token's value", async () => {
    const printed = await run.waitRecord((r) => r.service === "printer" && typeof r.msg === "string" && r.msg.startsWith("ENV "), 10_000, "printer's environment");
    const env = JSON.parse((printed.msg as string).slice(4)) as Record<string, string>;
    expect(Object.keys(env).filter((k) => env[k] === TOKEN || k === "ORCHESTRATOR_TOKEN")).toEqual([]);
    expect(JSON.stringify(env)).not.toContain(TOKEN);
    expect(JSON.stringify(env)).not.toContain("whsec-9f8e7d6c5b4a"); // nor the alert webhook of the orchestrator's environment
    // the rest of every layer is still there
    expect(env).toMatchObject({ PLAIN: "visible", FILE_PLAIN: "ok", INHERITED_PLAIN: "yes" });
    expect(env.PORT).toMatch(/^\d+$/);
  });

  test("nor does the environment of its exec probe", () => {
    const probeEnv = readFileSync(join(dir, "probe-env.txt"), "utf8");
    expect(probeEnv).toContain("PLAIN=visible");
    expect(probeEnv).not.toContain(TOKEN);
    expect(probeEnv).not.toContain("ORCHESTRATOR_TOKEN");
    expect(probeEnv).not.toContain("whsec-9f8e7d6c5b4a");
  });

  test("nor does the environment of the orphan watchdog the orchestrator spawns", () => {
    const watchdogs = readdirSync("/proc").filter((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return ppid === run.pid && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("orchestrator-watchdog");
      } catch {
        return false; // gone meanwhile
      }
    });
    expect(watchdogs).toHaveLength(1);
    const environ = readFileSync(`/proc/${watchdogs[0]}/environ`, "utf8");
    expect(environ).toContain("PATH=");
    expect(environ).not.toContain(TOKEN);
  });

  test("and the token appears nowhere in the orchestrator's own log (which carries the services' output)", () => {
    expect(run.lines.join("\n")).not.toContain(TOKEN);
    expect(run.lines.join("\n")).not.toContain("whsec-9f8e7d6c5b4a");
  });
});

describe("with a token set, routes that return service output or history need it", () => {
  const guarded = [
    "/orchestrator/services",
    "/orchestrator/services/printer",
    "/orchestrator/services/printer/logs",
    "/orchestrator/events",
    "/orchestrator/healing-history",
    "/orchestrator/dependencies",
    "/orchestrator/stats",
  ];
  const open = ["/orchestrator/status", "/orchestrator/health-status", "/orchestrator/session", "/metrics", "/docs", "/docs/json", "/"];

  test("each guarded route answers 401 JSON without the token or with a wrong one, 200 with it; the open ones answer anyone", async () => {
    for (const headers of [{}, { authorization: "Bearer not-the-token" }] as Record<string, string>[]) {
      for (const path of guarded) {
        const res = await fetch(api + path, { headers });
        const text = await res.text();
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
        expect(JSON.parse(text)).toMatchObject({ error: "UNAUTHORIZED" });
        expect(text).not.toContain("printer");
      }
    }
    for (const path of guarded) expect({ path, status: (await fetch(api + path, { headers: auth })).status }).toEqual({ path, status: 200 });
    // status, health-status, session, metrics, the docs and the dashboard page
    for (const path of open) expect({ path, status: (await fetch(api + path)).status }).toEqual({ path, status: 200 });
  });

  test("the OpenAPI document says, per route, which need the token", async () => {
    const doc = (await (await fetch(`${api}/docs/json`)).json()) as { paths: Record<string, { get?: { security?: unknown[] } }> };
    for (const path of guarded) expect({ path, security: doc.paths[path.replace("printer", "{name}")]?.get?.security }).toEqual({ path, security: [{ bearer: [] }] });
    for (const path of ["/orchestrator/status", "/orchestrator/health-status", "/orchestrator/session", "/metrics"]) {
      expect({ path, security: doc.paths[path]?.get?.security }).toEqual({ path, security: [] });
    }
  });
});

describe("the CLI client with a token set", () => {
  const cli = (args: string[], env: Record<string, string> = {}) => {
    const result = Bun.spawnSync([BINARY, ...args, "--api", api], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, stdout: "pipe", stderr: "pipe" });
    return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() };
  };

  test("sends ORCHESTRATOR_TOKEN on its reads (status, logs); without it, exits 2 saying what to set", () => {
    const refused = cli(["status"]);
    expect({ code: refused.code, err: refused.err }).toEqual({ code: 2, err: "orchestrator: the API needs a token: set ORCHESTRATOR_TOKEN\n" });
    const status = cli(["status"], { ORCHESTRATOR_TOKEN: TOKEN });
    expect(status.code).toBe(0);
    expect(status.out).toContain("printer");
    const logs = cli(["logs", "printer", "-n", "5"], { ORCHESTRATOR_TOKEN: TOKEN });
    expect(logs.code).toBe(0);
    expect(logs.out).toContain("print-env: pid");
    expect(cli(["logs", "printer"]).code).toBe(2);
  });
});

describe("a malformed envFile line", () => {
  test("is reported by file and line, never by its contents, wherever the failure shows", async () => {
    const status = (await (await fetch(`${api}/orchestrator/status`)).json()) as { reasons: string[] };
    const reason = status.reasons.find((r) => r.startsWith("broken"))!;
    expect(reason).toContain(`${join(dir, ".env-bad")}:2: expected KEY=VALUE`);
    const texts = [
      JSON.stringify(status),
      await (await fetch(`${api}/orchestrator/healing-history?service=broken`, { headers: auth })).text(),
      await (await fetch(`${api}/orchestrator/events?since=0`, { headers: auth })).text(),
      await (await fetch(`${api}/orchestrator/services/broken`, { headers: auth })).text(),
      run.lines.join("\n"),
    ];
    expect(texts[1]).toContain(".env-bad:2");
    for (const text of texts) expect(text).not.toContain(SECRET_LINE);
  });
});
