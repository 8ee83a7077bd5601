/**
 * The reads an operator makes first after a start (`orchestrator status`, a `curl` of the
 * list, the dashboard's first load), answered once in process when the launch has settled, so
 * that the first real one does not pay for Elysia composing the route's handler and validator
 * and for the first /proc sample of every service. On 200 services a fresh fleet answered its
 * first snapshot in 17-27 ms, against 0.8-1.1 ms once warm (docs/BENCHMARKS.md, "Client
 * commands: start-up"). In process through `app.handle`: no socket, nothing counted as a
 * client; the origin is loopback (the host guard always accepts it) and the token, when there
 * is one, is presented as a client would.
 */
import type { AnyElysia } from "elysia";

export const WARM_READS = ["/orchestrator/status", "/orchestrator/snapshot?fields=state", "/orchestrator/services"];

/** Answers each of WARM_READS once, in turn; never throws (a warm-up that fails changes nothing). */
export async function warmReads(app: AnyElysia, origin: string, token?: string): Promise<number> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let answered = 0;
  for (const path of WARM_READS) {
    try {
      const response = await app.handle(new Request(origin + path, { headers }));
      await response.arrayBuffer();
      if (response.ok) answered++;
    } catch {
      // nothing to warm: the real request will do it
    }
  }
  return answered;
}
