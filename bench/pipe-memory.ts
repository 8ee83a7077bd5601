/**
 * What reading a child's stdout and stderr costs in RSS, per child: spawns 200 detached
 * children (`sh -c 'echo hello; exec sleep 30'`) in one of several ways and reports the
 * growth of this process's RSS after a full GC. Each mode runs in its own process.
 *   ignore  stdout/stderr "ignore" (the floor: the Subprocess objects alone)
 *   pipe    "pipe", never read
 *   read    "pipe", each read by a ReadableStream reader (what the spawner does)
 *   node    node:child_process spawn with "data" listeners
 *
 *   bun bench/pipe-memory.ts            # all modes
 *   bun bench/pipe-memory.ts read       # one mode
 */
import { spawn as nodeSpawn } from "node:child_process";
import { procStatusMiB } from "./measure";

const MODES = ["ignore", "pipe", "read", "node"] as const;
const N = 200;
const rssMiB = () => procStatusMiB("self");

async function measure(mode: string): Promise<void> {
  const argv = ["/bin/sh", "-c", "echo hello; exec sleep 30"];
  Bun.gc(true);
  await Bun.sleep(200);
  const before = rssMiB();
  const pids: number[] = [];
  const keep: unknown[] = [];
  for (let i = 0; i < N; i++) {
    if (mode === "node") {
      const child = nodeSpawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], detached: true });
      child.stdout!.on("data", () => {});
      child.stderr!.on("data", () => {});
      pids.push(child.pid!);
      keep.push(child);
      continue;
    }
    const io = mode === "ignore" ? "ignore" : "pipe";
    const proc = Bun.spawn(argv, { stdin: "ignore", stdout: io, stderr: io, detached: true });
    pids.push(proc.pid);
    keep.push(proc);
    if (mode === "read")
      for (const stream of [proc.stdout, proc.stderr] as ReadableStream<Uint8Array>[]) {
        const reader = stream.getReader();
        void (async () => {
          while (!(await reader.read()).done);
        })();
      }
  }
  try {
    await Bun.sleep(1500);
    Bun.gc(true);
    await Bun.sleep(300);
    Bun.gc(true);
    const after = rssMiB();
    console.log(`${mode.padEnd(6)} RSS ${before.toFixed(1)} -> ${after.toFixed(1)} MiB: ${(((after - before) * 1024) / N).toFixed(0)} KiB per child`);
  } finally {
    for (const pid of pids) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
}

const mode = process.argv[2];
if (mode) {
  if (!(MODES as readonly string[]).includes(mode)) throw new Error(`pipe-memory: expected one of ${MODES.join(", ")}, got "${mode}"`);
  await measure(mode);
  process.exit(0);
}
console.log(`pipe-memory: ${N} children per mode, Bun ${Bun.version}`);
for (const each of MODES) {
  const child = Bun.spawn([process.execPath, import.meta.path, each], { stdout: "inherit", stderr: "inherit" });
  await child.exited;
}
