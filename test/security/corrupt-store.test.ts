/**
 * Issue 12, item 7: a broken history file does not take the fleet down, against the compiled
 * binary. A corrupt orchestrator.db is moved aside (with its -wal/-shm) and a fresh one
 * started, said in the log, in /status reasons and by the first stored event; a file broken
 * while running makes reads answer 503 JSON while supervision goes on; an unwritable
 * state.dir (a read-only mount, a file in its place) is a clear error, exit 1, nothing started.
 */
import { Database } from "bun:sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixtureCommand, freePort, waitFor } from "../helpers/processes";
import { quickManifest } from "../helpers/quick-manifest";
import { mountTmpfs, unmountTmpfs } from "../helpers/tmpfs";

type Json = Record<string, any>;

const runs: BinaryRun[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
});

/** `up` on a tmp fleet dir; `prepare` runs first, given that dir (the default state.dir is DIR/state). */
function up(services: Record<string, Json>, options: { stateDir?: string; prepare?: (dir: string) => void } = {}) {
  const apiPort = freePort();
  const dir = writeFleetDir(quickManifest("corrupt-store", { apiPort, stateDir: options.stateDir ?? "state", services }));
  options.prepare?.(dir);
  const run = new BinaryRun(dir, ["up"]);
  runs.push(run);
  return { run, base: `http://127.0.0.1:${apiPort}`, stateDir: options.stateDir ?? join(dir, "state") };
}

async function get(base: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json() };
}

const web = () => ({ command: fixtureCommand("healthy.ts"), port: freePort(), health: { http: "/health" } });

describe("a broken history file", () => {
  test("a corrupt orchestrator.db is moved aside with its -wal and -shm, and the fleet starts on a fresh one that says so first", async () => {
    let db = "";
    const { run, base } = up({ web: web() }, {
      prepare: (dir) => {
        mkdirSync(join(dir, "state"));
        db = join(dir, "state", "orchestrator.db");
        writeFileSync(db, "not a database, just bytes ".repeat(500));
        writeFileSync(`${db}-wal`, "a write-ahead log of nothing");
        writeFileSync(`${db}-shm`, "x".repeat(32768));
      },
    });

    const notice = await run.waitRecord((r) => r.event === "notice" && r.kind === "store-replaced", 20_000, "a store-replaced notice");
    const movedTo = String(notice.path);
    expect(movedTo).toMatch(new RegExp(`^${db.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\.corrupt-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z$`));
    expect(String(notice.msg)).toContain(db);
    expect(String(notice.msg)).toContain("file is not a database");
    expect(readFileSync(movedTo, "utf8")).toStartWith("not a database, just bytes");
    expect(readFileSync(`${movedTo}-wal`, "utf8")).toBe("a write-ahead log of nothing");
    expect(existsSync(`${movedTo}-shm`)).toBe(true);

    await run.waitRecord((r) => typeof r.msg === "string" && r.msg.startsWith("SYSTEM DEGRADED"), 20_000, "the launch to end");
    const status = (await get(base, "/orchestrator/status")).body as Json;
    expect(status.reasons[0]).toContain(`history file ${db} could not be read`);
    expect(status.reasons[0]).toContain(movedTo);
    expect(status.counts.healthy).toBe(1); // the service runs all the same
    const events = (await get(base, "/orchestrator/events?since=0")).body as Json[];
    expect(events[0]).toMatchObject({ seq: 1, type: "notice", payload: { kind: "store-replaced", level: "warn", path: movedTo } });
    await waitFor(() => {
      const fresh = new Database(db, { readonly: true });
      try {
        return (fresh.query("SELECT count(*) AS n FROM events").get() as { n: number }).n > 0;
      } finally {
        fresh.close();
      }
    }, 10_000, "the fresh history file to be written");
  }, 60_000);

  test("a history file that breaks while running: reads answer 503 JSON naming it, supervision goes on", async () => {
    const { run, base, stateDir } = up({ web: web() });
    await run.waitRecord((r) => r.msg === "SYSTEM READY", 20_000, "SYSTEM READY");
    const other = new Database(join(stateDir, "orchestrator.db"));
    other.exec("DROP TABLE events; DROP TABLE healing;");
    other.close();

    for (const path of ["/orchestrator/events?since=0", "/orchestrator/healing-history", "/orchestrator/services/web"]) {
      const res = await get(base, path);
      expect(res.status).toBe(503);
      expect(res.body.error).toBe("STORE_UNAVAILABLE");
      expect(res.body.message).toContain(join(stateDir, "orchestrator.db"));
      expect(res.body.message).toContain("no such table");
    }
    const pid = ((await get(base, "/orchestrator/services")).body as Json[])[0].pid as number;
    process.kill(pid, "SIGKILL");
    await waitFor(async () => {
      const [svc] = (await get(base, "/orchestrator/services")).body as Json[];
      return svc.state === "healthy" && svc.pid !== pid && (run.pids.add(svc.pid), true);
    }, 20_000, "the service restarted");
    expect((await get(base, "/orchestrator/status")).status).toBe(200);
  }, 60_000);
});

describe("an unwritable state.dir", () => {
  const ro = mountTmpfs("1m", { ro: true });
  afterAll(() => unmountTmpfs(ro.dir));

  async function expectRefused(options: { stateDir?: string; prepare?: (dir: string) => void }, expected: string[]) {
    const { run } = up({ web: { command: ["sh", "-c", "touch started; sleep 30"], health: false } }, options);
    expect(await run.exited).toBe(1);
    const stderr = await run.stderrText;
    for (const part of expected) expect(stderr).toContain(part);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.transitions()).toEqual([]); // nothing started
    expect(existsSync(join(run.dir, "started"))).toBe(false);
    return run;
  }

  test.skipIf(ro.skip !== null)(`a read-only mount is refused with what is needed, exit 1${ro.skip ? ` (skipped: ${ro.skip})` : ""}`, async () => {
    await expectRefused({ stateDir: ro.dir! }, [`cannot use state.dir ${ro.dir}: not writable (read-only file system); expected a directory the orchestrator can write`]);
    expect(readdirSync(ro.dir!)).toEqual([]);
  }, 30_000);

  test("a regular file where the directory should be is refused, exit 1", async () => {
    const run = await expectRefused({ prepare: (dir) => writeFileSync(join(dir, "state"), "I am a file") }, [
      "cannot use state.dir ",
      "/state: not a directory (a file is in the way",
      "expected a directory the orchestrator can write",
    ]);
    expect(readFileSync(join(run.dir, "state"), "utf8")).toBe("I am a file");
  }, 30_000);
});
