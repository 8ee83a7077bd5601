/** The TCP proxy alone, over real sockets: round robin, a refused instance retried on another, nothing ready, backpressure, drain. */
import { afterEach, describe, expect, test } from "bun:test";
import { TcpProxy, type Upstream } from "../../src/proxy/tcp-proxy";
import { freePort } from "../helpers/processes";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** An echo server that prefixes each reply with its name. */
function echoServer(name: string) {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data: (socket, chunk) => void socket.write(`${name}:${chunk.toString()}`) } });
  cleanups.push(() => server.stop(true));
  return { name, port: server.port };
}

function startProxy(upstreams: () => Upstream[]): TcpProxy {
  const proxy = new TcpProxy({ group: "web", host: "127.0.0.1", port: freePort(), upstreams });
  proxy.start();
  cleanups.push(() => proxy.stop());
  return proxy;
}

/** Connect, send `text`, resolve with what came back before the server or proxy closed, or after `ms`. */
function exchange(port: number, text: string, ms = 300): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    const timer = setTimeout(() => (socket.then((s) => s.end()), resolve(got)), ms);
    const socket = Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: { open: (s) => void s.write(text), data: (_s, chunk) => void (got += chunk.toString()), close: () => (clearTimeout(timer), resolve(got)), error: (_s, e) => reject(e) },
    });
  });
}

describe("TcpProxy", () => {
  test("forwards each connection to the next ready instance, round robin, and counts per instance", async () => {
    const a = echoServer("a");
    const b = echoServer("b");
    const proxy = startProxy(() => [a, b]);
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await exchange(proxy.port, "hi", 150));
    expect(replies.sort()).toEqual(["a:hi", "a:hi", "b:hi", "b:hi"]);
    const view = proxy.view();
    expect(view.instances.a.connections).toBe(2);
    expect(view.instances.b.bytesOut).toBe(8);
  });

  test("an instance that refuses is retried on another; with none ready the client is closed and counted as refused", async () => {
    const b = echoServer("b");
    const dead = { name: "dead", port: freePort() };
    const proxy = startProxy(() => [dead, b]);
    for (let i = 0; i < 3; i++) expect(await exchange(proxy.port, "x", 200)).toBe("b:x");
    const empty = startProxy(() => []);
    expect(await exchange(empty.port, "x", 1000)).toBe("");
    expect(empty.view().refused).toBe(1);
  });

  test("a client that does not read: the proxy stops reading from the instance instead of buffering what it sends", async () => {
    const chunk = Buffer.alloc(64 * 1024, 120);
    let sent = 0;
    const flood = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(socket) {
          const pump = () => {
            while (sent < 256 * 1024 * 1024) {
              const n = socket.write(chunk);
              sent += n;
              if (n < chunk.length) return;
            }
          };
          socket.data = pump as never;
          pump();
        },
        drain: (socket) => (socket.data as unknown as () => void)(),
        data() {},
      },
    });
    cleanups.push(() => flood.stop(true));
    const proxy = startProxy(() => [{ name: "flood", port: flood.port }]);
    const client = await Bun.connect({ hostname: "127.0.0.1", port: proxy.port, socket: { data() {} } });
    client.pause();
    cleanups.push(() => client.end());
    await Bun.sleep(1500);
    // without backpressure the proxy would read all 256 MiB and queue it in memory
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  test("drain resolves once the instance's open connections close, and only then", async () => {
    const a = echoServer("a");
    const proxy = startProxy(() => [a]);
    const client = await Bun.connect({ hostname: "127.0.0.1", port: proxy.port, socket: { data() {} } });
    await Bun.sleep(100);
    let drained = false;
    const drain = proxy.drain("a", a.port, 10_000).then(() => (drained = true));
    await Bun.sleep(200);
    expect(drained).toBe(false);
    client.end();
    await drain;
    expect(proxy.view().active).toBe(0);
  });
});
