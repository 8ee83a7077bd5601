/**
 * The built-in proxy against a direct connection with the load generator and the server in
 * processes of their own (SPEC §15 target: throughput through the proxy ≥ 80 % of direct):
 * a Bun HTTP server in a child process, the proxy (src/proxy/tcp-proxy.ts) in this one, and
 * Debian's `wrk` (apt-get install wrk) against each in turn, ROUNDS times, keep-alive. Where
 * Debian's nginx stream module is installed (libnginx-mod-stream), nginx as a TCP proxy with
 * one worker is measured beside it, as the yardstick on the same machine.
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
const nginx = await startNginxStream(serverPort);
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
const nginxRatios: number[] = [];
const show = (r: { rps: number; p50: string; p99: string }) => `${r.rps} req/s (p50 ${r.p50}, p99 ${r.p99})`;
for (let i = 0; i < rounds; i++) {
  const direct = await wrk(serverPort);
  const proxied = await wrk(proxy.port);
  ratios.push(proxied.rps / direct.rps);
  let line = `round ${i + 1}: direct ${show(direct)}; ours ${show(proxied)}, ${((100 * proxied.rps) / direct.rps).toFixed(0)} %`;
  if (nginx) {
    const viaNginx = await wrk(nginx.port);
    nginxRatios.push(viaNginx.rps / direct.rps);
    line += `; nginx stream ${show(viaNginx)}, ${((100 * viaNginx.rps) / direct.rps).toFixed(0)} %`;
  }
  console.log(line);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`median throughput through our proxy: ${(100 * median(ratios)).toFixed(0)} % of direct` + (nginx ? `; through nginx stream: ${(100 * median(nginxRatios)).toFixed(0)} %` : ""));
proxy.stop();
nginx?.stop();
server.kill();

/** nginx (one worker) as a plain TCP proxy in front of `upstream`, or null without the stream module. */
async function startNginxStream(upstream: number): Promise<{ port: number; stop(): void } | null> {
  const module = "/usr/lib/nginx/modules/ngx_stream_module.so";
  if (!Bun.which("nginx") && !(await Bun.file("/usr/sbin/nginx").exists())) return null;
  if (!(await Bun.file(module).exists())) return null;
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const dir = mkdtempSync("/tmp/bench-nginx-");
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  writeFileSync(`${dir}/nginx.conf`, `load_module ${module};\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log stderr error;\nevents { worker_connections 1024; }\nstream { server { listen 127.0.0.1:${port}; proxy_pass 127.0.0.1:${upstream}; } }\n`);
  const child = Bun.spawn(["/usr/sbin/nginx", "-e", "stderr", "-p", dir, "-c", `${dir}/nginx.conf`, "-g", "daemon off;"], { stdout: "ignore", stderr: "ignore" });
  for (let i = 0; i < 100; i++) {
    try {
      (await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } })).end();
      break;
    } catch {
      await Bun.sleep(20);
    }
  }
  return { port, stop: () => (child.kill("SIGQUIT"), rmSync(dir, { recursive: true, force: true })) };
}
