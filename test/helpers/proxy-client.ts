/** Clients of the built-in proxy (SPEC §15) for tests: a free port range, one GET per connection, a hammering loop. */
/** A base port with `count` free ports above it (checked by binding each). */
export function freeRange(count: number): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const servers: { stop(closeActive?: boolean): void }[] = [];
    try {
      for (let p = base; p < base + count; p++) servers.push(Bun.listen({ hostname: "127.0.0.1", port: p, socket: { data() {} } }));
      return base;
    } catch {
      // taken: try another range
    } finally {
      for (const s of servers) s.stop(true);
    }
  }
  throw new Error("freeRange: expected a free range of ports, found none");
}

/** GET `path` through the proxy on a fresh connection: the body, or the error. */
export async function get(port: number, path = "/"): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { connection: "close" }, keepalive: false });
  if (response.status !== 200) throw new Error(`status ${response.status}`);
  return response.text();
}

/** Requests in a loop until `stop` resolves; counts every failure with its reason. */
export function hammer(port: number) {
  const result = { ok: 0, failed: [] as string[], bodies: new Set<string>() };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        result.bodies.add(await get(port));
        result.ok++;
      } catch (error) {
        result.failed.push(String(error));
      }
    }
  })();
  return {
    result,
    async stop(atLeast: number) {
      while (result.ok + result.failed.length < atLeast) await Bun.sleep(10);
      running = false;
      await loop;
      return result;
    },
  };
}

