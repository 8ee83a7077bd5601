import type { ServiceConfig } from "../contract/config";
import { probePath, probePort, triesSeveralEndpoints } from "./service-facts";
import { quoteExecArg } from "./systemd-syntax";

// systemd has no health probes. An ExecStartPost= loop that polls the probe keeps the unit
// "activating" until the service answers, so units ordered After= it wait for it to be
// healthy, and TimeoutStartSec= becomes the startup timeout.
/** The ExecStartPost= that waits for the first passing probe, or undefined when there is none. */
export function renderHealthWait(service: ServiceConfig, notes: string[]): string | undefined {
  const check = service.health.check;
  if (check === null) return undefined;
  const pause = Math.max(1, Math.round(service.health.intervalMs / 1000));
  const seconds = Math.max(1, Math.ceil(service.health.timeoutMs / 1000));
  let probe: string;
  if (check.kind === "exec") probe = check.command;
  else {
    const port = probePort(service, check);
    if (port === undefined) {
      notes.push("no start-up wait: the HTTP probe has no port (set `port` on the service)");
      return undefined;
    }
    if (check.kind === "tcp") probe = `timeout ${seconds} bash -c '</dev/tcp/${check.host}/${port}'`;
    else {
      if (triesSeveralEndpoints(check)) notes.push(`the probe tries ${check.endpoints.join(", ")} in turn; the start-up wait uses ${probePath(check)}`);
      probe = `curl -fsS -o /dev/null --max-time ${seconds} http://${check.host}:${port}${probePath(check)}`;
    }
  }
  return ["/bin/sh", "-c", `until ${probe}; do sleep ${pause}; done`].map(quoteExecArg).join(" ");
}
