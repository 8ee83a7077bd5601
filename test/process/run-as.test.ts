/**
 * SPEC §13 user, group, umask, nice, limits, stdio and shutdown.command, through the real
 * BunSpawner: the fixture (print-identity.sh) reads what it got from its own /proc entry.
 * Runs as root (the tests' machine); postgres is uid 101 in groups postgres (104) and
 * ssl-cert (103).
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Account } from "../../src/contract/config";
import { findGroup, findUser, listUserGroups } from "../../src/lib/libc";
import { BunSpawner } from "../../src/process/bun-spawner";
import type { ChildHandle, RunAs, SpawnSpec } from "../../src/process/spawner";
import type { StreamName } from "../../src/contract/output";
import { fixturePath, isGone, killPids, waitFor, waitGone } from "../helpers/processes";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
const postgres = findUser("postgres")!;
const sslCert = findGroup("ssl-cert")!;
const asPostgres: Account = { user: "postgres", uid: postgres.uid, group: "postgres", gid: postgres.gid, groups: listUserGroups("postgres", postgres.gid), home: postgres.home };
const dir = mkdtempSync(join(tmpdir(), "run-as-"));
chmodSync(dir, 0o777); // the services below write here as postgres

const spawner = new BunSpawner();
const started: number[] = [];
afterEach(() => killPids(started.splice(0)));
afterAll(() => {
  spawner.close();
  rmSync(dir, { recursive: true, force: true });
});

type Line = [StreamName, string];

function spawn(runAs: RunAs | undefined, extra: Partial<SpawnSpec> = {}): { child: ChildHandle; lines: Line[] } {
  const lines: Line[] = [];
  const spec: SpawnSpec = { name: "identity", command: ["/bin/sh", fixturePath("print-identity.sh")], cwd: dir, env, runAs, ...extra };
  const child = spawner.spawn(spec, (stream, line) => lines.push([stream, line]));
  started.push(child.pid);
  return { child, lines };
}

async function ready(lines: Line[]): Promise<Record<string, string>> {
  await waitFor(() => lines.some(([, l]) => l === "ready"), 4000, "the fixture to say ready");
  const values: Record<string, string> = {};
  for (const [, line] of lines) {
    for (const part of line.split(/ (?=[a-z]+=)/)) {
      const at = part.indexOf("=");
      if (at > 0) values[part.slice(0, at)] = part.slice(at + 1);
    }
  }
  return values;
}

const ids = (id: number) => `${id} ${id} ${id} ${id}`;

describe("user and group", () => {
  test("real, effective, saved and fs ids and the supplementary groups are the user's (initgroups)", async () => {
    const { child, lines } = spawn({ account: asPostgres });
    const got = await ready(lines);
    expect(got.uid).toBe(ids(101));
    expect(got.gid).toBe(ids(postgres.gid));
    expect(got.groups!.split(" ").map(Number).sort()).toEqual([sslCert.gid, postgres.gid].sort());
    child.kill();
  });

  test("`group` overrides the primary group; the supplementary groups follow it", async () => {
    const account = { ...asPostgres, group: "ssl-cert", gid: sslCert.gid, groups: listUserGroups("postgres", sslCert.gid) };
    const { child, lines } = spawn({ account });
    const got = await ready(lines);
    expect(got.uid).toBe(ids(101));
    expect(got.gid).toBe(ids(sslCert.gid));
    expect(got.groups).toBe(String(sslCert.gid));
    child.kill();
  });

  test("the pid is the program's own, and a signal reaches it directly", async () => {
    const { child, lines } = spawn({ account: asPostgres, umask: "0027", nice: 3, limits: { nofile: 1000 } });
    const got = await ready(lines);
    expect(Number(got.pid)).toBe(child.pid);
    // no link of the chain is left: the pid runs the fixture itself
    expect(readFileSync(`/proc/${child.pid}/cmdline`, "latin1").split("\0")).toContain(fixturePath("print-identity.sh"));
    expect(await child.stop("SIGINT", 5000)).toEqual({ code: 0, signal: null, reason: "exited" });
    expect(lines).toContainEqual(["stdout", "got SIGINT"]);
  });
});

describe("umask, nice, limits", () => {
  test("the service starts with them, soft and hard limits alike", async () => {
    const { child, lines } = spawn({ umask: "0027", nice: 7, limits: { nofile: 4096, nproc: 777, core: "unlimited" } });
    const got = await ready(lines);
    expect(got).toMatchObject({ umask: "0027", nice: "7", nofile: "4096 4096", nproc: "777 777", core: "unlimited unlimited" });
    child.kill();
  });

  test("with a user they apply too: a lower nice value (root, before the chain drops to the user) and limits", async () => {
    const { child, lines } = spawn({ account: asPostgres, umask: "0077", nice: -2, limits: { nofile: 1234, core: 0 } });
    const got = await ready(lines);
    expect(got).toMatchObject({ uid: ids(101), umask: "0077", nice: "-2", nofile: "1234 1234", core: "0 0" });
    child.kill();
  });

  test("without any of these keys the program is exec'd directly, with the orchestrator's own", async () => {
    const { child, lines } = spawn(undefined);
    const got = await ready(lines);
    expect(got.uid).toBe(ids(process.getuid!()));
    expect(got.umask).toBe(process.umask().toString(8).padStart(4, "0"));
    child.kill();
  });
});

describe("stdio", () => {
  for (const [label, runAs] of [["direct", undefined], ["through the chain", { account: asPostgres, umask: "0022" }]] as const) {
    test(`stdout and stderr are pipes that /dev/stdout, /dev/stderr and /proc/self/fd/1 open; stdin is /dev/null (${label})`, async () => {
      const { child, lines } = spawn(runAs);
      const got = await ready(lines);
      expect(got.fds).toBe("/dev/null pipe pipe");
      expect(lines).toContainEqual(["stdout", "via /dev/stdout"]);
      expect(lines).toContainEqual(["stderr", "via /dev/stderr"]);
      expect(lines).toContainEqual(["stdout", "via /proc/self/fd/1"]);
      expect(lines).toContainEqual(["stdout", "stdin=0 bytes"]);
      child.kill();
    });
  }

  test("no pipe end is left open here once a service has ended (ours are closed after the spawn and at EOF)", async () => {
    const pipes = () => readdirFds().filter((link) => link.startsWith("pipe:")).length;
    const before = pipes();
    for (let i = 0; i < 20; i++) {
      const { child } = spawn(i % 2 === 0 ? undefined : { umask: "0022" }, { command: "echo one; echo two >&2" });
      await child.exited;
    }
    await waitFor(() => pipes() <= before, 5000, `the pipe fds to be closed (${pipes()} open, ${before} before)`);
  });
});

describe("shutdown.command", () => {
  test("runs instead of the signal, as the user, with MAINPID; the service exits through it, no SIGKILL", async () => {
    const { child, lines } = spawn({ account: asPostgres }, { env: { ...env, IGNORE_TERM: "1" } });
    await ready(lines);
    const exit = await child.stop("SIGTERM", 10_000, 'echo "stopping $MAINPID as $(id -u):$(id -g) in $(pwd)"; kill -USR1 "$MAINPID"');
    expect(exit).toEqual({ code: 0, signal: null, reason: "exited" });
    expect(lines).toContainEqual(["stdout", `stopping ${child.pid} as 101:${postgres.gid} in ${dir}`]);
    expect(lines).toContainEqual(["stdout", "got SIGUSR1"]);
    expect(lines.some(([, l]) => l === "got SIGTERM")).toBe(false);
  });

  test("a service that does not stop is SIGKILLed with its group after the timeout; the command goes too", async () => {
    const { child, lines } = spawn({ account: asPostgres }, { env: { ...env, IGNORE_TERM: "1" } });
    await ready(lines);
    const pidFile = join(dir, "stop-command.pid");
    const exit = await child.stop("SIGTERM", 400, `echo $$ > ${pidFile}; echo "asked nicely"; sleep 30`);
    expect(exit).toEqual({ code: null, signal: "SIGKILL", reason: "signaled" });
    expect(lines).toContainEqual(["stdout", "asked nicely"]);
    const commandPid = Number(readFileSync(pidFile, "utf8"));
    expect(commandPid).toBeGreaterThan(0);
    started.push(commandPid);
    expect(await waitGone([commandPid], 5000)).toEqual([]);
  });

  test("a command that fails while the service runs falls back to the signal", async () => {
    const { child, lines } = spawn(undefined);
    await ready(lines);
    const exit = await child.stop("SIGTERM", 10_000, "echo 'no such cluster' >&2; exit 3");
    expect(exit).toEqual({ code: 0, signal: null, reason: "exited" });
    expect(lines).toContainEqual(["stderr", "no such cluster"]);
    expect(lines).toContainEqual(["stderr", "[orchestrator] shutdown command failed (it exited with code 3); sending SIGTERM instead"]);
    expect(lines).toContainEqual(["stdout", "got SIGTERM"]);
    expect(isGone(child.pid)).toBe(true);
  });
});

function readdirFds(): string[] {
  const out: string[] = [];
  for (const fd of new Bun.Glob("*").scanSync({ cwd: "/proc/self/fd", onlyFiles: false })) {
    try {
      out.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}
