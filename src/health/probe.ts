/** The Probe port: one health check of one service. Its result's shape is ProbeResult in src/contract/service-view.ts. */
import type { ProbeResult } from "../contract/service-view";

export interface Probe {
  /** Run one check; never rejects (a failure is a result with ok: false). */
  check(timeoutMs: number): Promise<ProbeResult>;
}
