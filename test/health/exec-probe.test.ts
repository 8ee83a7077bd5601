import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createExecProbe } from "../../src/health/exec-probe";
import { killPids, waitGone } from "../helpers/processes";

const dir = mkdtempSync(join(tmpdir(), "exec-probe-"));
const started: number[] = [];
afterEach(() => {
  killPids(started.splice(0));
});
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function readPid(file: string): number {
  const pid = Number(readFileSync(file, "utf8").trim());
  expect(pid).toBeGreaterThan(0); // an empty file would make waitGone([0]) pass for nothing
  started.push(pid);
  return pid;
}

test("exit 0 is healthy; the endpoint is the command", async () => {
  const result = await createExecProbe({ command: "true" }).check(5000);
  expect(result).toMatchObject({ ok: true, endpoint: "true" });
});

test("a non-zero exit fails with the code and the first line of stderr", async () => {
  const result = await createExecProbe({ command: "echo 'db is down' >&2; echo more >&2; exit 3" }).check(5000);
  expect(result).toMatchObject({ ok: false, error: "exit code 3: db is down" });
});

test("runs in the given cwd with the given env", async () => {
  const command = `test "$(pwd)" = "${dir}" && test "$PROBE_FLAG" = on`;
  expect((await createExecProbe({ command, cwd: dir, env: { PROBE_FLAG: "on", PATH: process.env.PATH ?? "" } }).check(5000)).ok).toBe(true);
  expect((await createExecProbe({ command, cwd: dir, env: { PROBE_FLAG: "off", PATH: process.env.PATH ?? "" } }).check(5000)).ok).toBe(false);
});

test("a command that outlives the timeout is killed with its whole group", async () => {
  const pidFile = join(dir, "timeout.pid");
  const result = await createExecProbe({ command: `sleep 30 & echo $! > ${pidFile}; wait` }).check(300);
  expect(result).toMatchObject({ ok: false, error: "timeout after 300ms" });
  const grandchild = readPid(pidFile);
  expect(await waitGone([grandchild])).toEqual([]);
});

test("a grandchild left behind by a passing command does not leak", async () => {
  const pidFile = join(dir, "leak.pid");
  const result = await createExecProbe({ command: `sleep 30 > /dev/null 2>&1 & echo $! > ${pidFile}; exit 0` }).check(5000);
  expect(result.ok).toBe(true);
  const grandchild = readPid(pidFile);
  expect(await waitGone([grandchild])).toEqual([]);
});

test("a cwd that does not exist is a failed result, not a rejection", async () => {
  const result = await createExecProbe({ command: "true", cwd: join(dir, "missing") }).check(5000);
  expect(result.ok).toBe(false);
  expect(result.error).toBeString();
});
