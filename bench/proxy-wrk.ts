/**
 * The built-in proxy against a direct connection with the load generator and the server in
 * processes of their own (SPEC §15 target: throughput through the proxy ≥ 80 % of direct):
 * a Bun HTTP server in a child process, the proxy (src/proxy/tcp-proxy.ts) in this one, and
 * Debian's `wrk` (apt-get install wrk) against each in turn, ROUNDS times, keep-alive.
 *
 *   bun bench/proxy-wrk.ts [ROUNDS=3] [SECONDS=5] [CONNECTIONS=10]
 */
import { TcpProxy } from "../src/proxy/tcp-proxy";

const [rounds, seconds, connections] = [Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 5), Number(process.argv[4] ?? 10)];
if (!Bun.which("wrk")) throw new Error("bench/proxy-wrk.ts: needs wrk (apt-get install wrk)");

const server = Bun.spawn(["bun", "-e", `const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("hello") }); console.log(s.port); await Bun.stdin.text(); process.exit(0);`], {
  stdin: "pipe",
  stdout: "pipe",
  env: { ...process.env, PATH: `${import.meta.dir}/../node_modules/.bin:${process.env.PATH}` },
});
const serverPort = await readPort(server.stdout);
async function readPort(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("the server exited before printing its port");
    text += new TextDecoder().decode(value);
  }
  return Number(text.trim());
}
const proxy = new TcpProxy({ group: "bench", host: "127.0.0.1", port: 0, upstreams: () => [{ name: "bench@1", port: serverPort }] });
proxy.start();

// spawned, not spawnSync: the proxy runs on this process's event loop
async function wrk(port: number): Promise<{ rps: number; p50: string; p99: string }> {
  const child = Bun.spawn(["wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--latency", `http://127.0.0.1:${port}/`], { stdout: "pipe" });
  const out = await new Response(child.stdout).text();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const at = (p: string) => new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(out)?.[1] ?? "?";
  return { rps: Math.round(rps), p50: at("50"), p99: at("99") };
}

const ratios: number[] = [];
for (let i = 0; i < rounds; i++) {
  const direct = await wrk(serverPort);
  const proxied = await wrk(proxy.port);
  ratios.push(proxied.rps / direct.rps);
  console.log(`round ${i + 1}: direct ${direct.rps} req/s (p50 ${direct.p50}, p99 ${direct.p99}); proxy ${proxied.rps} req/s (p50 ${proxied.p50}, p99 ${proxied.p99}); ${(100 * proxied.rps / direct.rps).toFixed(0)} %`);
}
ratios.sort((a, b) => a - b);
console.log(`median throughput through the proxy: ${(100 * ratios[Math.floor(ratios.length / 2)]!).toFixed(0)} % of direct`);
proxy.stop();
server.kill();
