/**
 * HTTP probe: GET over a raw socket, 2xx/3xx healthy. With an explicit `path` only that path is
 * probed; otherwise `endpoints` are tried in order and the first that answers is remembered.
 */
import { systemClock, type Clock } from "../lib/clock";
import { requestStatus, type StatusOutcome } from "./http-request";
import type { Probe } from "./probe";
import type { ProbeResult } from "../contract/service-view";
import { startCheck, type CheckTiming } from "./probe-timing";

export interface HttpProbeOptions {
  host: string;
  port: number;
  /** Probe only this path. */
  path?: string;
  /** Tried in order when `path` is unset; defaults to `["/"]` when empty. */
  endpoints: string[];
  clock?: Clock;
}

/** An endpoint that says "no such route": try the next one in the list. */
function isMissingRoute(outcome: StatusOutcome): boolean {
  return outcome.kind === "no-response" || (outcome.kind === "status" && (outcome.status === 404 || outcome.status === 405));
}

function describeOutcome(outcome: StatusOutcome): string {
  return outcome.kind === "status" ? `HTTP ${outcome.status}` : outcome.error;
}

/** Create an HTTP probe; it remembers the answering endpoint until that endpoint starts returning 404. */
export function createHttpProbe(options: HttpProbeOptions): Probe {
  const clock = options.clock ?? systemClock;
  const candidates = options.path ? [options.path] : options.endpoints.length > 0 ? options.endpoints : ["/"];
  let remembered: string | undefined = options.path;

  const request = (path: string, timing: CheckTiming) =>
    requestStatus({ host: options.host, port: options.port, path }, timing.remainingMs(), clock);

  const answered = (path: string, outcome: StatusOutcome, timing: CheckTiming): ProbeResult => {
    if (outcome.kind === "timeout") return timing.finish(false, path, `timeout after ${timing.timeoutMs}ms`);
    if (outcome.kind !== "status") return timing.finish(false, path, outcome.error);
    const ok = outcome.status >= 200 && outcome.status < 400;
    return timing.finish(ok, path, ok ? undefined : `HTTP ${outcome.status}`);
  };

  async function check(timing: CheckTiming): Promise<ProbeResult> {
    const misses: string[] = [];
    let justTried: string | undefined;
    if (remembered !== undefined) {
      justTried = remembered;
      const outcome = await request(justTried, timing);
      if (!isMissingRoute(outcome) || options.path) return answered(justTried, outcome, timing);
      remembered = undefined;
      misses.push(`${justTried} ${describeOutcome(outcome)}`);
    }
    for (const path of candidates) {
      if (path === justTried) continue;
      if (timing.remainingMs() <= 0) return timing.finish(false, path, `timeout after ${timing.timeoutMs}ms`);
      const outcome = await request(path, timing);
      if (isMissingRoute(outcome)) {
        misses.push(`${path} ${describeOutcome(outcome)}`);
        continue;
      }
      if (outcome.kind === "status") remembered = path;
      return answered(path, outcome, timing);
    }
    return timing.finish(false, undefined, `no endpoint answered: ${misses.join(", ")}`);
  }

  return {
    async check(timeoutMs) {
      const timing = startCheck(clock, timeoutMs);
      try {
        return await check(timing);
      } catch (error) {
        return timing.finish(false, remembered, String(error));
      }
    },
  };
}
