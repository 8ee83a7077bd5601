/**
 * `check`'s view of `ready` and `watchdog` (SPEC §14): exactly one readiness source, a regex
 * that compiles, `fd` only with `notify: fd`, probe timing only with a probe, `watchdog`
 * only with `notify: systemd`. Each problem is positioned at the key that has it.
 */
import type { RawService } from "./schema";

export interface ReadyProblem {
  key: "ready" | "watchdog";
  message: string;
  suffix?: string[];
}

const SOURCES = ["log", "notify", "http", "tcp", "exec"] as const;

/** What is wrong with one service's `ready` and `watchdog`, as written (`port`: the service's own). */
export function findReadyProblems(spec: RawService, port: number | undefined): ReadyProblem[] {
  const problems: ReadyProblem[] = [];
  const ready = spec.ready;
  if (spec.watchdog !== undefined && ready?.notify !== "systemd") {
    const got = ready?.notify ? `notify: ${ready.notify}` : ready ? `ready: { ${Object.keys(ready).join(", ")} }` : "no ready";
    problems.push({ key: "watchdog", message: `watchdog needs ready: { notify: systemd } (the service pings WATCHDOG=1 on NOTIFY_SOCKET), got ${got}` });
  }
  if (!ready) return problems;
  const given = SOURCES.filter((key) => ready[key] !== undefined);
  if (given.length === 0) problems.push({ key: "ready", message: `expected one readiness source: log, notify, http, tcp or exec; got none` });
  if (given.length > 1) problems.push({ key: "ready", message: `expected one readiness source, got ${given.length}: ${given.join(" and ")} (health is the liveness probe: put the other one there)`, suffix: [given[1]!] });
  if (ready.log !== undefined) {
    const invalid = describeBadRegex(ready.log);
    if (invalid) problems.push({ key: "ready", message: `expected a regular expression, got ${JSON.stringify(ready.log)}: ${invalid}`, suffix: ["log"] });
  }
  if (ready.fd !== undefined && ready.notify !== "fd") problems.push({ key: "ready", message: `fd is the notification descriptor of notify: fd; got it with ${ready.notify ? `notify: ${ready.notify}` : "no notify"}`, suffix: ["fd"] });
  const probe = ready.http !== undefined || ready.tcp !== undefined || ready.exec !== undefined;
  for (const key of ["interval", "timeout", "host"] as const) {
    if (ready[key] !== undefined && !probe) problems.push({ key: "ready", message: `${key} is for a readiness probe (http, tcp or exec); ${given[0] ?? "this ready"} has none`, suffix: [key] });
  }
  if (ready.tcp === true && port === undefined) problems.push({ key: "ready", message: `tcp: true probes the service's own port, but it has no port: give it \`port:\`, or the port to probe`, suffix: ["tcp"] });
  return problems;
}

function describeBadRegex(pattern: string): string | null {
  try {
    new RegExp(pattern);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
