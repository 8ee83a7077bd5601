// Measurements, not tests: `bun bench/supervision-cost.ts`. What the SPEC §13 supervision costs
// on this machine: the port guard's look before a start (free port: the two /proc/net tables;
// held port: plus the holder, found by its socket among every /proc/PID/fd), the recheck of a
// blocked start, and one limits.memory sample of SERVICES services of 3 processes each.
import { createHostView } from "../src/process/host-view";
import { findListenInodes, findPortHolder } from "../src/process/port-holder";
import { killPids, waitGone } from "../test/helpers/processes";

const SERVICES = Number(process.env.SERVICES ?? 20);
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

function time(label: string, rounds: number, fn: () => unknown): void {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) fn();
  console.log(`${label}: ${((performance.now() - t0) / rounds).toFixed(3)} ms`);
}

const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
const held = server.port!;
const free = (() => {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
})();
const leaders = Array.from({ length: SERVICES }, () => Bun.spawn(["/bin/sh", "-c", "sleep 600 & sleep 600 & wait"], { env, detached: true }));
await Bun.sleep(300);
const processes = Bun.spawnSync(["sh", "-c", "ls -d /proc/[0-9]* | wc -l"]).stdout.toString().trim();
const sockets = Bun.spawnSync(["sh", "-c", "cat /proc/net/tcp /proc/net/tcp6 | wc -l"]).stdout.toString().trim();
console.log(`machine: ${processes} processes, ${sockets} lines in /proc/net/tcp{,6}`);

const host = createHostView("bench");
time("port guard, free port (before every start of a service with a port)", 2000, () => host.findPortHolder(free));
time("  the same from /proc/net/tcp{,6} alone, without the bind (what it would cost)", 200, () => findListenInodes(free));
time("port guard, held port: who holds it (once, when a start is blocked)", 50, () => findPortHolder(held));
time("blocked start, recheck each second (is it still listened on)", 2000, () => host.isListening(held));
time(`limits.memory, one sample of ${SERVICES} services x 3 processes (each second while one is limited)`, 200, () => host.measureMemory(leaders.map((p) => p.pid)));

server.stop(true);
for (const leader of leaders) process.kill(-leader.pid, "SIGKILL");
killPids(leaders.map((p) => p.pid));
await waitGone(leaders.map((p) => p.pid), 3000);
