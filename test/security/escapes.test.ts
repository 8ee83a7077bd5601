/**
 * Issue 12, item 6: no process escapes. Run against the compiled binary: a service that
 * double-forks a setsid'd daemon (test/fixtures/double-fork.sh: a new session and process
 * group, reparented away from the service) must lose that daemon when it stops, restarts or
 * when the orchestrator is SIGKILLed, even after the orphan watchdog itself was killed.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { BinaryRun, ensureBinary, writeFleetDir, type LogRecord } from "../helpers/binary-run";
import { fixturePath, freePort, isGone, killPids, waitFor, waitGone } from "../helpers/processes";

const runs: BinaryRun[] = [];
/** Every daemon pid a fixture printed: killed by pid after each test, whatever happened. */
const printed: number[] = [];

beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
  const daemons = printed.splice(0);
  killPids(daemons);
  await waitGone(daemons, 3000);
});

function up(services: Record<string, Record<string, unknown>>): { run: BinaryRun; api: string } {
  const port = freePort();
  const manifest = {
    version: 1,
    name: "escapes",
    api: { host: "127.0.0.1", port },
    discovery: { roots: [] },
    state: { dir: "state" },
    defaults: { shutdown: { timeout: "2s" } },
    services,
  };
  const run = new BinaryRun(writeFleetDir(manifest), ["up"]);
  runs.push(run);
  return { run, api: `http://127.0.0.1:${port}` };
}

/** A service that leaves a double-forked daemon behind; `clearEnv`: the daemon empties its environment. */
function daemonizing(clearEnv = false, env: Record<string, string> = {}): Record<string, unknown> {
  return { command: ["/bin/sh", fixturePath("double-fork.sh")], health: false, env: clearEnv ? { ...env, CLEAR_ENV: "1" } : env };
}

/** The daemons `service` has printed so far, in order (each start prints one). */
function daemonsOf(run: BinaryRun, service: string): number[] {
  const pids = run.records.flatMap((r) => {
    if (r.service !== service || r.stream !== "stdout" || typeof r.msg !== "string" || !r.msg.startsWith("{")) return [];
    return (JSON.parse(r.msg) as { grandchildren: number[] }).grandchildren;
  });
  for (const pid of pids) if (!printed.includes(pid)) printed.push(pid);
  return pids;
}

async function waitDaemons(run: BinaryRun, service: string, count: number): Promise<number[]> {
  await waitFor(() => daemonsOf(run, service).length >= count, 15_000, `${service} to print daemon #${count}`);
  const pids = daemonsOf(run, service);
  const daemon = pids[count - 1]!;
  // Out of the service's group and session: the group kill alone cannot reach it.
  const stat = readFileSync(`/proc/${daemon}/stat`, "latin1");
  const [pgid, sid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ").slice(2, 4).map(Number);
  const service_ = run.transitions().filter((t) => t.service === service && typeof t.pid === "number").at(-1)?.pid;
  expect(pgid).not.toBe(service_);
  expect(sid).not.toBe(service_);
  return pids;
}

const stoppedRecord = (service: string) => (r: LogRecord) => r.event === "service" && r.service === service && r.to === "stopped";

async function post(api: string, path: string): Promise<void> {
  const response = await fetch(`${api}${path}`, { method: "POST" });
  expect(response.status).toBe(202);
}

/** The orphan watchdog: the child of the orchestrator running the watchdog's sh script. */
function findWatchdog(orchestrator: number): number {
  const children = readFileSync(`/proc/${orchestrator}/task/${orchestrator}/children`, "latin1").trim().split(" ").map(Number);
  const watchdog = children.find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "latin1").startsWith("/bin/sh\0-c\0trap '' INT TERM HUP");
    } catch {
      return false;
    }
  });
  if (!watchdog) throw new Error(`findWatchdog: expected a watchdog among the children of ${orchestrator}, got ${children.join(", ")}`);
  return watchdog;
}

describe("no process escapes (compiled binary)", () => {
  test("stopping a service kills the daemon it double-forked, spares another service's, and reports it", async () => {
    const { run, api } = up({ bystander: daemonizing(), daemon: daemonizing() });
    const [spared] = await waitDaemons(run, "bystander", 1);
    const [daemon] = await waitDaemons(run, "daemon", 1);

    await post(api, "/orchestrator/stop/daemon");
    await run.waitRecord(stoppedRecord("daemon"), 10_000, "daemon stopped");
    expect(await waitGone([daemon!], 5000)).toEqual([]);
    expect(isGone(spared!)).toBe(false);
    const notice = await run.waitRecord((r) => r.kind === "descendants-killed" && r.service === "daemon", 5000, "a descendants-killed notice");
    expect(notice.pid).toBe(daemon);
    expect(notice.msg).toContain(`${daemon} (sleep)`);
  }, 30_000);

  test("a daemon that also emptied its environment is killed on stop, and reaped while the orchestrator runs", async () => {
    const { run, api } = up({ daemon: daemonizing(true) });
    const [daemon] = await waitDaemons(run, "daemon", 1);
    expect(readFileSync(`/proc/${daemon}/environ`, "latin1")).toBe(""); // no marker to find it by

    await post(api, "/orchestrator/stop/daemon");
    await run.waitRecord(stoppedRecord("daemon"), 10_000, "daemon stopped");
    // Not only dead: no zombie left either (the orchestrator adopted it, so it must reap it).
    await waitFor(() => !existsSync(`/proc/${daemon}`), 5000, `daemon ${daemon} to be killed and reaped`);
    expect(isGone(run.pid)).toBe(false);
  }, 30_000);

  test("a daemon that exits by itself while its service runs is adopted and reaped by the orchestrator: no zombie", async () => {
    const { run } = up({ daemon: daemonizing(false, { DAEMON_SECONDS: "1" }) });
    const [daemon] = await waitDaemons(run, "daemon", 1);
    const stat = readFileSync(`/proc/${daemon}/stat`, "latin1");
    expect(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])).toBe(run.pid); // its parent now
    await waitFor(() => !existsSync(`/proc/${daemon}`), 5000, `daemon ${daemon} to exit and be reaped`);
    expect(run.records.some((r) => r.kind === "subreaper-unavailable")).toBe(false);
  }, 30_000);

  test("SIGKILL of the orchestrator: the watchdog kills the double-forked daemon too", async () => {
    const { run } = up({ daemon: daemonizing() });
    const [daemon] = await waitDaemons(run, "daemon", 1);
    const service = run.collectPids();

    process.kill(run.pid, "SIGKILL");
    await run.exited;
    expect(await waitGone([daemon!, ...service], 10_000)).toEqual([]);
  }, 30_000);

  test("a restart kills the old daemon and keeps the new one", async () => {
    const { run, api } = up({ daemon: daemonizing() });
    const [old] = await waitDaemons(run, "daemon", 1);

    await post(api, "/orchestrator/restart/daemon");
    const [, fresh] = await waitDaemons(run, "daemon", 2);
    expect(await waitGone([old!], 5000)).toEqual([]);
    expect(isGone(fresh!)).toBe(false);
  }, 30_000);

  test("a killed watchdog is replaced at once: a SIGKILL of the orchestrator after that still leaves nothing", async () => {
    const { run } = up({ daemon: daemonizing() });
    const [daemon] = await waitDaemons(run, "daemon", 1);
    const watchdog = findWatchdog(run.pid);

    process.kill(watchdog, "SIGKILL");
    const notice = await run.waitRecord((r) => r.kind === "watchdog-replaced", 10_000, "a watchdog-replaced notice");
    const replacement = notice.pid as number;
    expect(replacement).not.toBe(watchdog);
    expect(notice.msg).toContain(String(watchdog));
    expect(findWatchdog(run.pid)).toBe(replacement);

    const service = run.collectPids();
    process.kill(run.pid, "SIGKILL");
    await run.exited;
    expect(await waitGone([daemon!, replacement, ...service], 10_000)).toEqual([]);
  }, 30_000);

  test("SIGTERM shutdown leaves no daemon behind, marked or not", async () => {
    const { run } = up({ first: daemonizing(true), second: daemonizing(true), marked: daemonizing() });
    const daemons = [
      ...(await waitDaemons(run, "first", 1)),
      ...(await waitDaemons(run, "second", 1)),
      ...(await waitDaemons(run, "marked", 1)),
    ];
    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(await waitGone(daemons, 5000)).toEqual([]);
  }, 30_000);
});
