/** The Probe port: one health check of one service. */

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  /** http: the path that answered; tcp: host:port; exec: the command. */
  endpoint?: string;
  /** Why it failed, e.g. "ECONNREFUSED", "timeout after 5000ms", "HTTP 503". */
  error?: string;
  checkedAt: number;
}

export interface Probe {
  /** Run one check; never rejects (a failure is a result with ok: false). */
  check(timeoutMs: number): Promise<ProbeResult>;
}
