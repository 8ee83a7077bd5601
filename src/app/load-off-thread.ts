/**
 * Loads a manifest in a Worker, so parsing and validating a large one (seconds for tens of
 * thousands of services) never stalls the event loop: probes, the API and the stream keep
 * running during a reload. When the worker cannot start or dies without an answer, the
 * load runs here on the main thread instead: slower for the fleet, never a wrong answer.
 */
import { loadConfigSync, type LoadOptions, type LoadResult } from "../manifest/load";
import type { LoadRequest } from "./load-worker";

export interface OffThreadLoad {
  result: LoadResult;
  /** "worker", or "main-thread" with why the worker was not used. */
  ranOn: "worker" | "main-thread";
  fallbackReason?: string;
}

/**
 * Where the worker's module is. From source: next to this file. In the compiled binary it is
 * an extra entry point, embedded under `/$bunfs/root/` at its path relative to the entry
 * points' common folder (`src/`, so `app/load-worker.js`); `import.meta.url` there still
 * names the build machine's source file, so it cannot be used. An absolute `/$bunfs/` path
 * is never looked up on disk.
 */
export function workerLocations(): (URL | string)[] {
  if (!Bun.main.startsWith("/$bunfs/")) return [new URL("./load-worker.ts", import.meta.url)];
  return ["/$bunfs/root/app/load-worker.js", "/$bunfs/root/src/app/load-worker.js"];
}

export async function loadConfigOffThread(file: string, options: LoadOptions = {}, locations = workerLocations()): Promise<OffThreadLoad> {
  const request: LoadRequest = { file, options: { ...options, env: { ...(options.env ?? process.env) } } };
  const failures: string[] = [];
  for (const location of locations) {
    try {
      return { result: await runInWorker(location, request), ranOn: "worker" };
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  const fallbackReason = failures.join("; ") || "no worker location";
  return { result: loadConfigSync(file, options), ranOn: "main-thread", fallbackReason };
}

function runInWorker(url: URL | string, request: LoadRequest): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(url);
    } catch (err) {
      reject(new Error(`cannot start the manifest worker: ${(err as Error).message}`));
      return;
    }
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      worker.terminate();
      outcome();
    };
    worker.onmessage = (event: MessageEvent<LoadResult>) =>
      finish(() => (isLoadResult(event.data) ? resolve(event.data) : reject(new Error("the manifest worker answered something else than a load result"))));
    worker.onerror = (event: ErrorEvent) => finish(() => reject(new Error(`the manifest worker failed: ${event.message}`)));
    worker.addEventListener("close", () => finish(() => reject(new Error("the manifest worker exited without an answer"))));
    worker.postMessage(request);
  });
}

function isLoadResult(value: unknown): value is LoadResult {
  return typeof value === "object" && value !== null && Array.isArray((value as LoadResult).issues);
}
