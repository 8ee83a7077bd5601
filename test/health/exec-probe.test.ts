import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createExecProbe } from "../../src/health/exec-probe";
import { findUser, listUserGroups } from "../../src/lib/libc";
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

describe("as the service's account (SPEC §13: pg_isready as postgres, not root)", () => {
  const postgres = findUser("postgres")!;
  const account = { user: "postgres", uid: postgres.uid, group: "postgres", gid: postgres.gid, groups: listUserGroups("postgres", postgres.gid), home: postgres.home };
  const shared = mkdtempSync(join(tmpdir(), "exec-probe-as-"));
  chmodSync(shared, 0o777);
  process.on("exit", () => rmSync(shared, { recursive: true, force: true }));

  test("it runs as the user and groups, a simple command and a shell one alike", async () => {
    const file = join(shared, "ids");
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
    expect((await createExecProbe({ command: `sh -c 'echo "$(id -u) $(id -g) $(id -G)" > ${file}'`, env, account }).check(5000)).ok).toBe(true);
    expect(readFileSync(file, "utf8").trim()).toBe(`101 ${postgres.gid} ${account.groups.join(" ")}`);
    expect((await createExecProbe({ command: `test "$(id -un)" = postgres && echo shell > ${file}`, env, account }).check(5000)).ok).toBe(true);
    expect(readFileSync(file, "utf8").trim()).toBe("shell");
  });

  test("the user's own failure shows as the probe's error", async () => {
    const result = await createExecProbe({ command: "cat /root/.profile", env: { PATH: process.env.PATH ?? "" }, account }).check(5000);
    expect(result.ok).toBe(false);
    expect(result.error).toContain("Permission denied");
  });
});
