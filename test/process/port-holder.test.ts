/** Who listens on a port, read from /proc as the port guard does: real listeners, real sockets. */
import { afterEach, describe, expect, test } from "bun:test";
import { basename } from "node:path";
import { findPortHolder, parseListenInodes, tryBind } from "../../src/process/port-holder";
import { createHostView } from "../../src/process/host-view";
import { MARKER_VAR } from "../../src/process/marker";
import { fixtureCommand, freePort, killPids, waitFor, waitGone } from "../helpers/processes";

// the kernel's command name: the executable's file name, cut to 15 bytes
const BUN_COMM = basename(process.execPath).slice(0, 15);
const started: number[] = [];
afterEach(async () => {
  const pids = started.splice(0);
  killPids(pids);
  await waitGone(pids, 3000);
});

/** The healthy fixture on `port`, with extra env; resolves once it listens. */
async function listen(port: number, env: Record<string, string> = {}): Promise<number> {
  const proc = Bun.spawn(fixtureCommand("healthy.ts"), { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PORT: String(port), ...env }, stdout: "pipe" });
  started.push(proc.pid);
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("listening")) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`expected the fixture to listen on ${port}, it exited: ${text}`);
    text += new TextDecoder().decode(chunk.value);
  }
  reader.releaseLock();
  return proc.pid;
}

// Rows as the kernel writes them: one IPv4 LISTEN on 0.0.0.0:5432, an established connection
// from that port, and an IPv6 LISTEN on [::]:5432.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 41517 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1538 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000   101        0 48213 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9001 1 0000000000000000 100 0 0 10 0`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 41518 1 0000000000000000 100 0 0 10 0`;

describe("port holders", () => {
  test("the LISTEN rows of a port, IPv4 and IPv6; connections and other ports are not listeners", () => {
    expect(parseListenInodes(TCP, 5432)).toEqual([41517]);
    expect(parseListenInodes(TCP6, 5432)).toEqual([41518]);
    expect(parseListenInodes(TCP, 8080)).toEqual([9001]);
    expect(parseListenInodes(TCP, 5433)).toEqual([]);
    expect(parseListenInodes("", 5432)).toEqual([]);
  });

  test("a real listener is found by its socket: pid, command name and marker", async () => {
    const port = freePort();
    expect(findPortHolder(port)).toBeNull();
    const pid = await listen(port, { [MARKER_VAR]: "someone-else/1/db" });
    expect(findPortHolder(port)).toEqual({ port, pid, comm: BUN_COMM, marker: "someone-else/1/db" });
    process.kill(pid, "SIGKILL");
    await waitFor(() => findPortHolder(port) === null, 5000, `port ${port} to be free once ${pid} died`);
  });

  test("the host view tells this run's services from anyone else's, and itself", async () => {
    const host = createHostView("run-1234");
    const ours = freePort();
    const theirs = freePort();
    const mine = await listen(ours, { [MARKER_VAR]: "run-1234/7/db" });
    const other = await listen(theirs, { [MARKER_VAR]: "run-9999/7/db" });
    expect(host.findPortHolder(ours)).toMatchObject({ pid: mine, service: "db" });
    expect(host.findPortHolder(theirs)?.service).toBeUndefined();
    expect(host.findPortHolder(theirs)?.pid).toBe(other);
    expect(host.isListening(ours)).toBe(true);
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    try {
      expect(host.findPortHolder(server.port!)).toMatchObject({ pid: process.pid, self: true });
    } finally {
      server.stop(true);
    }
    // only this run's leftover is killed, and only the very process found
    expect(host.killLeftover(host.findPortHolder(theirs)!)).toBe(false);
    expect(host.killLeftover({ ...host.findPortHolder(ours)!, startTicks: 1 })).toBe(false);
    expect(host.killLeftover(host.findPortHolder(ours)!)).toBe(true);
    expect(await waitGone([mine], 5000)).toEqual([]);
    await waitFor(() => !host.isListening(ours), 5000, `port ${ours} to be free`);
  });

  test("an IPv6-only listener counts too (the look binds dual-stack)", () => {
    const server = Bun.serve({ hostname: "::1", port: 0, fetch: () => new Response() });
    try {
      expect(findPortHolder(server.port!)).toMatchObject({ pid: process.pid });
      expect(tryBind(server.port!)).toBe("taken");
    } finally {
      server.stop(true);
    }
  });

  test.skipIf(!Bun.which("python3"))("looking leaves the port free: a program binding it right after, without SO_REUSEADDR, gets it", () => {
    const port = freePort();
    for (let round = 0; round < 20; round++) {
      expect(findPortHolder(port)).toBeNull();
      const bind = `import socket; s = socket.socket(socket.AF_INET6); s.bind(("::", ${port})); s.listen(); print("bound")`;
      expect(Bun.spawnSync(["python3", "-c", bind]).stdout.toString().trim()).toBe("bound");
    }
  });
});
