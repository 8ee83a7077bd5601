import type { ServiceConfig } from "../contract/config";
import { describeReady, probePath, probePort, triesSeveralEndpoints } from "./service-facts";
import { quoteExecArg } from "./systemd-syntax";

// systemd has no health probes. An ExecStartPost= loop that polls the probe keeps the unit
// "activating" until the service answers, so units ordered After= it wait for it to be
// healthy, and TimeoutStartSec= becomes the startup timeout.
/** The ExecStartPost= that waits for the first passing probe, or undefined when there is none. */
// With `ready` (SPEC §14): Type=notify needs no wait (READY=1 ends "activating"); a readiness
// probe is what is waited for; a log line or an fd has no systemd form (noted), so health is.
export function renderHealthWait(service: ServiceConfig, notes: string[], instancePort?: string): string | undefined {
  const ready = service.ready;
  if (ready?.kind === "systemd") return undefined;
  if (ready && ready.kind !== "probe") notes.push(`${describeReady(service)}: systemd has no such readiness signal; the start-up wait uses the health probe`);
  const { check, intervalMs, timeoutMs } = ready?.kind === "probe" ? ready : service.health;
  if (check === null) return undefined;
  const pause = Math.max(1, Math.round(intervalMs / 1000));
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  let probe: string;
  if (check.kind === "exec") probe = check.command;
  else {
    const probed = probePort(service, check);
    // in a template unit the service's own port is the instance's (`%i`)
    const port = instancePort !== undefined && probed === service.port ? instancePort : probed;
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
