/** The chaos runner's API load: GET /orchestrator/services and /status in turn at a fixed rate, counting what failed. */

export interface LoadFigures {
  requests: number;
  non2xx: number;
  failed: number;
  latencies: number[];
  firstProblems: string[];
}

export function startLoad(api: string, rate: number, concurrency: number): { requestsSoFar(): number; stop(): Promise<LoadFigures & { seconds: number }> } {
  const figures: LoadFigures = { requests: 0, non2xx: 0, failed: 0, latencies: [], firstProblems: [] };
  const paths = ["/orchestrator/services", "/orchestrator/status"];
  let stopped = false;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const started = performance.now();

  const one = async (path: string): Promise<void> => {
    const t0 = performance.now();
    try {
      const res = await fetch(api + path, { signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      figures.latencies.push(performance.now() - t0);
      if (res.status < 200 || res.status > 299) {
        figures.non2xx++;
        if (figures.firstProblems.length < 5) figures.firstProblems.push(`GET ${path}: ${res.status}`);
      }
    } catch (error) {
      figures.failed++;
      if (figures.firstProblems.length < 5) figures.firstProblems.push(`GET ${path}: ${String(error)}`);
    } finally {
      figures.requests++;
    }
  };

  const loop = (async () => {
    const period = 1000 / rate;
    let next = performance.now();
    for (let i = 0; !stopped && rate > 0; i++) { // --rate 0: no load
      next += period;
      if (inFlight < concurrency) {
        inFlight++;
        const p = one(paths[i % paths.length]!).finally(() => {
          inFlight--;
          pending.delete(p);
        });
        pending.add(p);
      }
      const wait = next - performance.now();
      if (wait > 1) await Bun.sleep(wait);
      else if (i % 16 === 0) await Bun.sleep(0); // behind schedule: still yield now and then
    }
  })();

  return {
    requestsSoFar: () => figures.requests,
    async stop() {
      stopped = true;
      await loop;
      await Promise.all([...pending]);
      return { ...figures, seconds: (performance.now() - started) / 1000 };
    },
  };
}
