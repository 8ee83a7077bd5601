/**
 * The launcher's inner loop alone: 200 tinyhttp services spawned through the BunSpawner in one
 * synchronous loop (pipes, own group, watchdog, escape catcher), timed to its end and to the end
 * of the microtasks it leaves. Run it on two checkouts in turn to compare them.
 *
 *   bun bench/spawn-loop.ts LABEL        (needs /tmp/bench-work/tinyhttp; ports 29200-29399)
 */
import { BunSpawner } from "../src/process/bun-spawner";
import { timeSpawnLoop } from "./measure";

const env = { PATH: process.env.PATH! };
const spawner = new BunSpawner();
const { children, loopMs, settledMs } = await timeSpawnLoop(spawner, 200, (i) => ({ name: `s${i}`, command: ["/tmp/bench-work/tinyhttp"], cwd: "/tmp", env: { ...env, PORT: String(29200 + i) } }));
for (const c of children) c.kill();
await Promise.all(children.map((c) => c.exited));
spawner.close();
console.log(`${process.argv[2]} loop ${loopMs.toFixed(1)} ms, +microtasks ${settledMs.toFixed(1)} ms`);
