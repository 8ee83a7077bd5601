/**
 * The built-in proxy against a direct connection, same run (SPEC §15): requests/s and p50/p99
 * of HTTP keep-alive requests from a Bun client loop (no autocannon in node_modules), then
 * the latency at a paced 1,000 requests/s. Run: node_modules/.bin/bun bench/proxy.ts
 */
import { TcpProxy } from "../src/proxy/tcp-proxy";

const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("hello") });
const proxy = new TcpProxy({ group: "bench", host: "127.0.0.1", port: 0, upstreams: () => [{ name: "bench@1", port: server.port! }] });
proxy.start();

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function load(port: number, concurrency: number, ms: number, paceMs = 0) {
  const latencies: number[] = [];
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await (await fetch(`http://127.0.0.1:${port}/`)).text();
        latencies.push(performance.now() - t0);
        if (paceMs) await Bun.sleep(paceMs);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rps: Math.round(latencies.length / (ms / 1000)), p50: pct(latencies, 0.5).toFixed(3), p99: pct(latencies, 0.99).toFixed(3) };
}

for (const [label, port] of [["direct", server.port!], ["proxy", proxy.port]] as const) await load(port, 10, 1000); // warm up
for (const [label, port] of [["direct", server.port!], ["proxy", proxy.port]] as const) console.log(label, "saturating (10 clients, 5 s):", await load(port, 10, 5000));
for (const [label, port] of [["direct", server.port!], ["proxy", proxy.port]] as const) console.log(label, "paced ~1,000 req/s (1 client, 1 ms apart, 5 s):", await load(port, 1, 5000, 1));
proxy.stop();
server.stop(true);
