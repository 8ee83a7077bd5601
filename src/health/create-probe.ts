/** HealthCheck (from the manifest) → Probe. */
import { systemClock, type Clock } from "../lib/clock";
import type { Account, HealthCheck } from "../contract/config";
import { accountEnv } from "../process/run-as";
import { createExecProbe } from "./exec-probe";
import { createHttpProbe } from "./http-probe";
import type { Probe } from "./probe";
import { startCheck } from "./probe-timing";
import { createTcpProbe } from "./tcp-probe";

/** What a check needs from the service it belongs to. */
export interface ProbeContext {
  /** The service's port: used by an http check that names none. */
  port?: number;
  /** Working directory and environment for an exec check (normally the service's own). */
  cwd?: string;
  env?: Record<string, string>;
  /** The service's account: an exec check runs as it, with its HOME, USER and LOGNAME unless `env` sets them. */
  account?: Account;
  clock?: Clock;
}

/** Build the probe for a check; `null` (health: false) means no probe: alive counts as healthy. */
export function createProbe(check: HealthCheck | null, context: ProbeContext = {}): Probe | null {
  if (check === null) return null;
  const clock = context.clock ?? systemClock;
  switch (check.kind) {
    case "http": {
      const port = check.port ?? context.port;
      if (port === undefined) return createFailingProbe("http check has no port: set health.port or the service's port", clock);
      return createHttpProbe({ host: check.host, port, path: check.path, endpoints: check.endpoints, clock });
    }
    case "tcp":
      return createTcpProbe({ host: check.host, port: check.port, clock });
    case "exec": {
      const { account, cwd } = context;
      // the given env's own HOME/USER/LOGNAME win; the orchestrator's (when none is given) do not
      const env = !account ? context.env : context.env ? { ...accountEnv(account), ...context.env } : { ...(process.env as Record<string, string>), ...accountEnv(account) };
      return createExecProbe({ command: check.command, cwd, env, account, clock });
    }
  }
}

/** A probe that always fails with `error`: a misconfiguration shows up as a visible unhealthy result. */
function createFailingProbe(error: string, clock: Clock): Probe {
  return { check: async () => startCheck(clock, 0).finish(false, undefined, error) };
}
