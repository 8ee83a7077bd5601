/**
 * Notification channels (SPEC §14) with real processes and real clients: Debian's
 * `systemd-notify` on the NOTIFY_SOCKET the spawner makes (as root and as another user),
 * a foreign sender turned away, the s6 notification fd through the run-as exec chain, and
 * WATCHDOG_USEC / WATCHDOG_PID as the service sees them.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import type { Account } from "../../src/contract/config";
import { listUserGroups, findUser } from "../../src/lib/libc";
import { sendDatagram } from "../../src/lib/libc-socket";
import { BunSpawner } from "../../src/process/bun-spawner";
import type { ChildHandle, NotifyFields, SpawnSpec } from "../../src/process/spawner";
import { waitFor } from "../helpers/processes";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
const spawner = new BunSpawner();
const children: ChildHandle[] = [];
const hasSystemdNotify = Bun.which("systemd-notify") !== null;
const postgres = findUser("postgres");
const asPostgres: Account | undefined = postgres ? { user: "postgres", uid: postgres.uid, group: "postgres", gid: postgres.gid, groups: listUserGroups("postgres", postgres.gid), home: postgres.home } : undefined;

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill();
    await child.exited;
  }
});
afterAll(() => spawner.close());

function start(spec: Omit<SpawnSpec, "cwd" | "env"> & { env?: Record<string, string> }) {
  const lines: string[] = [];
  const messages: NotifyFields[] = [];
  const child = spawner.spawn({ cwd: "/tmp", ...spec, env: { ...env, ...spec.env } }, (_stream, line) => lines.push(line), (fields) => messages.push(fields));
  children.push(child);
  return { child, lines, messages };
}

describe.skipIf(!hasSystemdNotify)("notify: systemd with the real systemd-notify", () => {
  test("STATUS= then READY=1 arrive one datagram each, in order, from a process of the service", async () => {
    const script = 'echo "socket=$NOTIFY_SOCKET"; systemd-notify --status="warming up"; sleep 0.2; systemd-notify --ready --status="serving"; exec sleep 30';
    const { lines, messages } = start({ name: "notify", command: ["/bin/sh", "-c", script], notify: { kind: "systemd" } });
    await waitFor(() => messages.some((m) => m.READY === "1"), 10_000, "READY=1");
    const meaningful = messages.filter((m) => m.BARRIER === undefined); // systemd-notify's own barrier, one per call
    expect(meaningful).toEqual([{ STATUS: "warming up" }, { READY: "1", STATUS: "serving" }]);
    expect(lines[0]).toMatch(/^socket=\/.+\.sock$/);
  });

  test.skipIf(!asPostgres)("a service running as another user reaches its socket (and only its own spawn's socket is its)", async () => {
    const script = "id -un; systemd-notify --ready; exec sleep 30";
    const { lines, messages } = start({ name: "as-postgres", command: ["/bin/sh", "-c", script], notify: { kind: "systemd" }, runAs: { account: asPostgres } });
    await waitFor(() => messages.some((m) => m.READY === "1"), 10_000, "READY=1 from the postgres user");
    expect(lines[0]).toBe("postgres");
  });

  test("the socket goes with the spawn: removed once the service exited", async () => {
    const { child, lines } = start({ name: "gone", command: ["/bin/sh", "-c", 'echo "$NOTIFY_SOCKET"; sleep 0.1'], notify: { kind: "systemd" } });
    await child.exited;
    const path = lines[0]!;
    expect(path).toEndWith(".sock");
    expect(existsSync(path)).toBe(false);
  });
});

describe("notify: systemd senders", () => {
  test("a datagram from a live process outside the service's group is ignored", async () => {
    const script = 'echo "$NOTIFY_SOCKET"; read -r _ < /dev/null; exec sleep 30';
    const { lines, messages } = start({ name: "foreign", command: ["/bin/sh", "-c", script], notify: { kind: "systemd" } });
    await waitFor(() => lines.length > 0, 5000, "the socket path");
    sendDatagram(lines[0]!, "READY=1\nSTATUS=forged"); // from this test process: alive, another group
    await Bun.sleep(300);
    expect(messages).toEqual([]);
  });
});

describe("notify: fd", () => {
  test("a newline on the fd is reported once as READY=1; more writes are read and ignored", async () => {
    const { messages } = start({ name: "fd", command: ["/bin/sh", "-c", "sleep 0.2; echo >&3; echo more >&3; exec sleep 30"], notify: { kind: "fd", fd: 3 } });
    await waitFor(() => messages.length > 0, 10_000, "the newline on fd 3");
    await Bun.sleep(100);
    expect(messages).toEqual([{ READY: "1" }]);
  });

  test.skipIf(!asPostgres)("fd N survives the run-as exec chain (setpriv, umask sh) of a service running as another user", async () => {
    const script = "id -un; printf 'ok\\n' >&5; exec sleep 30";
    const { lines, messages } = start({ name: "fd-chain", command: ["/bin/sh", "-c", script], notify: { kind: "fd", fd: 5 }, runAs: { account: asPostgres, umask: "0027" } });
    await waitFor(() => messages.length > 0, 10_000, "the newline on fd 5");
    expect(lines[0]).toBe("postgres");
  });

  test("no newline before the exit: never ready", async () => {
    const { child, messages } = start({ name: "fd-silent", command: ["/bin/sh", "-c", "printf partial >&3"], notify: { kind: "fd", fd: 3 } });
    await child.exited;
    await Bun.sleep(100);
    expect(messages).toEqual([]);
  });
});

describe("watchdog environment", () => {
  test("WATCHDOG_USEC is the timeout in microseconds and WATCHDOG_PID the service's own pid", async () => {
    const { child, lines } = start({ name: "wd", command: ["/bin/sh", "-c", 'echo "$WATCHDOG_USEC $WATCHDOG_PID $$"'], notify: { kind: "systemd", watchdogMs: 2500 } });
    await child.exited;
    expect(lines).toEqual([`2500000 ${child.pid} ${child.pid}`]);
  });
});
