/**
 * The launcher's inner loop alone: 200 tinyhttp services spawned through the BunSpawner in one
 * synchronous loop (pipes, own group, watchdog, escape catcher), timed to its end and to the end
 * of the microtasks it leaves. Run it on two checkouts in turn to compare them.
 *
 *   bun bench/spawn-loop.ts LABEL        (needs /tmp/bench-work/tinyhttp; ports 29200-29399)
 */
import { BunSpawner } from "../src/process/bun-spawner";
const env = { PATH: process.env.PATH! };
const spawner = new BunSpawner();
spawner.spawn({ name: "warm", command: ["true"], cwd: "/tmp", env }, () => {});
await Bun.sleep(100);
const t0 = performance.now();
const children = Array.from({ length: 200 }, (_, i) => spawner.spawn({ name: `s${i}`, command: ["/tmp/bench-work/tinyhttp"], cwd: "/tmp", env: { ...env, PORT: String(29200 + i) } }, () => {}));
const t1 = performance.now();
await Bun.sleep(0);
const t2 = performance.now();
for (const c of children) c.kill();
await Promise.all(children.map((c) => c.exited));
spawner.close();
console.log(`${process.argv[2]} loop ${(t1 - t0).toFixed(1)} ms, +microtasks ${(t2 - t0).toFixed(1)} ms`);
