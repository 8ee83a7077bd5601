/** `check` warns about a service port something already listens on, and about pidFiles no daemon can write. */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { CliIo } from "../../src/cli/command";
import { runCli } from "../../src/cli/main";
import { MARKER_VAR } from "../../src/process/marker";
import { fixtureCommand, freePort, killPids, waitFor, waitGone } from "../helpers/processes";
import { load, makeTree, removeTrees, serviceA, writeFile } from "./helpers";

afterAll(removeTrees);
const started: number[] = [];
afterEach(async () => {
  const pids = started.splice(0);
  killPids(pids);
  await waitGone(pids, 3000);
});

// command names as the kernel keeps them: a child's is its executable's file name (15 bytes at most)
const COMM = basename(process.execPath).slice(0, 15);
const SELF_COMM = readFileSync("/proc/self/comm", "latin1").trim();

function listenHere(): { port: number; stop: () => void } {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  return { port: server.port!, stop: () => server.stop(true) };
}

describe("check: ports already held", () => {
  test("a warning at the service's port naming the holder; nothing without the option (a reload sees its own ports)", () => {
    const held = listenHere();
    try {
      const yaml = serviceA(`port: ${held.port}`);
      expect(load(yaml, { checkPortsFree: true }).lines).toEqual([
        `orchestrator.yaml:5:11 services.a.port: warning: port ${held.port} is held by pid ${process.pid} (${SELF_COMM}), not started by an orchestrator: "a" would wait, blocked, until it is free`,
      ]);
      expect(load(yaml).lines).toEqual([]);
      expect(load(yaml, { checkPortsFree: true }).config).toBeDefined(); // a warning, not an error
    } finally {
      held.stop();
    }
    expect(load(serviceA(`port: ${held.port}`), { checkPortsFree: true }).lines).toEqual([]);
  });

  test("a holder started by an orchestrator is named as that orchestrator's service", async () => {
    const port = freePort();
    const proc = Bun.spawn(fixtureCommand("healthy.ts"), { env: { PATH: process.env.PATH!, PORT: String(port), [MARKER_VAR]: "4242-abcd1234/3/db" }, stdout: "ignore" });
    started.push(proc.pid);
    const loaded = () => load(serviceA(`port: ${port}`), { checkPortsFree: true }).lines;
    await waitFor(() => loaded().length > 0, 10_000, `the fixture to listen on ${port}`);
    expect(loaded()).toEqual([
      `orchestrator.yaml:5:11 services.a.port: warning: port ${port} is held by pid ${proc.pid} (${COMM}), service db of the orchestrator running as pid 4242: "a" would wait, blocked, until it is free`,
    ]);
  });

  test("orchestrator check prints the warning and still succeeds", async () => {
    const held = listenHere();
    try {
      const dir = makeTree({ "orchestrator.yaml": serviceA(`port: ${held.port}`, "health: false").replace("command: x", "command: [sh]") });
      let out = "";
      let err = "";
      const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), color: false, cwd: dir, env: { PATH: process.env.PATH! } };
      expect(await runCli(["check"], io)).toBe(0);
      expect(out).toStartWith("ok orchestrator.yaml: 1 service");
      expect(err).toContain(`orchestrator.yaml:5:11 services.a.port: warning: port ${held.port} is held by pid ${process.pid}`);
    } finally {
      held.stop();
    }
  });
});

describe("check: pidFile", () => {
  test("a pidFile in a folder that does not exist is a warning; a folder given as the pidFile is an error", () => {
    const dir = makeTree();
    writeFile(join(dir, "run/.keep"), "");
    expect(load(serviceA("pidFile: run/legacy.pid"), { dir }).lines).toEqual([]);
    expect(load(serviceA("pidFile: nowhere/legacy.pid"), { dir }).lines).toEqual([
      `orchestrator.yaml:5:14 services.a.pidFile: warning: pidFile "${join(dir, "nowhere/legacy.pid")}": its folder ${join(dir, "nowhere")} does not exist, so the daemon cannot write it unless it creates that folder itself`,
    ]);
    expect(load(serviceA("pidFile: run"), { dir }).lines).toEqual([
      `orchestrator.yaml:5:14 services.a.pidFile: pidFile "${join(dir, "run")}" is a directory: expected the path of the file the daemon writes its pid to`,
    ]);
  });
});
