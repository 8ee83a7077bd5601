/**
 * How the compiled binary writes a client command's output (src/cli/write-all.ts): every byte,
 * in order, into a pipe that is full and non-blocking (EAGAIN), and a quiet end, with the
 * command's own exit code, when the reader goes away (EPIPE).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dlopen, FFIType, ptr } from "bun:ffi";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFleet } from "../../bench/gen-fleet";
import { BINARY, BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixtureCommand, freePort, waitFor } from "../helpers/processes";

const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const F_SETFL = 4;
const F_SETPIPE_SZ = 1031;
const FIONREAD = 0x541b;
const libc = dlopen("libc.so.6", {
  pipe2: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  fcntl: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  ioctl: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
});

let dir: string;
beforeAll(() => {
  ensureBinary();
  dir = mkdtempSync(join(tmpdir(), "orch-outpipe-"));
  generateFleet(300, dir, 30000, "exec sleep 1");
});
const runs: BinaryRun[] = [];
afterAll(async () => {
  await Promise.all(runs.splice(0).map((run) => run.cleanup()));
  rmSync(dir, { recursive: true, force: true });
});

describe("client output into a pipe (compiled binary)", () => {
  test("a full non-blocking pipe read late gets every byte (EAGAIN is waited out)", async () => {
    const fds = new Int32Array(2);
    expect(libc.symbols.pipe2(ptr(fds), O_NONBLOCK | O_CLOEXEC)).toBe(0);
    const [readFd, writeFd] = [fds[0]!, fds[1]!];
    expect(libc.symbols.fcntl(writeFd, F_SETPIPE_SZ, 4096)).toBeGreaterThanOrEqual(4096); // fills after 4 KiB
    const proc = Bun.spawn([BINARY, "graph", "--format", "json"], { cwd: dir, stdin: "ignore", stdout: writeFd, stderr: "pipe" });
    // Bun.spawn hands the child a blocking fd; the flag lives on the shared open file, so set it
    // again now, long before the binary has started up far enough to write.
    expect(libc.symbols.fcntl(writeFd, F_SETFL, O_NONBLOCK)).toBe(0);
    libc.symbols.close(writeFd);
    // read only once the pipe is full: from then on every write the binary tries meets EAGAIN
    const queued = new Int32Array(1);
    const pipeFull = () => libc.symbols.ioctl(readFd, FIONREAD, ptr(queued)) === 0 && queued[0]! >= 4096;
    await waitFor(pipeFull, 20_000, "the binary to fill the 4 KiB pipe");
    const text = await new Response(Bun.file(readFd).stream()).text();
    libc.symbols.close(readFd);
    expect(await proc.exited).toBe(0);
    expect(await new Response(proc.stderr).text()).toBe("");
    expect(JSON.parse(text).nodes).toHaveLength(300);
  });

  test("a reader that goes away (| head -c 10) ends the output quietly with the command's exit code", () => {
    const script = `"${BINARY}" graph --format json 2>"$1/err"; echo $? >"$1/code"`;
    const proc = Bun.spawnSync(["sh", "-c", `{ ${script}; } | head -c 10`, "sh", dir], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    expect(proc.stdout.toString()).toBe('{\n  "nodes');
    expect(Bun.spawnSync(["cat", join(dir, "err"), join(dir, "code")]).stdout.toString()).toBe("0\n");
  });

  test("logs -f ends when its reader goes away (| head -n 3), with exit code 0", async () => {
    const apiPort = freePort();
    const fleet = writeFleetDir({
      version: 1,
      name: "follow",
      api: { host: "127.0.0.1", port: apiPort },
      discovery: { roots: [] },
      state: { dir: "state" },
      services: { chatty: { command: fixtureCommand("print-streams.ts"), env: { TICK_MS: 20 }, health: false } },
    });
    const run = new BinaryRun(fleet, ["up"]);
    runs.push(run);
    await run.waitRecord((r) => r.msg === "SYSTEM READY", 20_000, "SYSTEM READY");
    // the binary itself, not under a shell: a follower that does not end is killed by its own pid
    const follow = Bun.spawn([BINARY, "logs", "-f", "chatty", "--api", `http://127.0.0.1:${apiPort}`], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    try {
      // read three lines, then close our end: the follower's next write meets EPIPE
      const reader = follow.stdout.getReader();
      let text = "";
      while (text.split("\n").length <= 3) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      const code = await Promise.race([follow.exited, Bun.sleep(10_000).then(() => "still following")]);
      expect(code).toBe(0);
      expect(await new Response(follow.stderr).text()).toBe("");
    } finally {
      if (follow.exitCode === null && follow.signalCode === null) follow.kill("SIGKILL");
      await follow.exited;
    }
  }, 40_000);
});
