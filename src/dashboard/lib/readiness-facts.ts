/**
 * How a service becomes ready and how its liveness is checked (SPEC §14), in words, for the
 * details panel: its readiness source and what made it ready, its sd_notify STATUS=, its
 * watchdog, and, when `ready` is set, the health probe as its liveness.
 */
import type { HealthCheck, ReadyConfig } from "../../contract/config";
import type { ServiceConfig, ServiceSummary } from "../api/types";
import type { ConfigFact } from "./config-facts";
import { formatDuration } from "./format";

function describeCheck(check: HealthCheck): string {
  if (check.kind === "exec") return `exec ${check.command}`;
  if (check.kind === "tcp") return `tcp ${check.host}:${check.port}`;
  return `http ${check.path ?? check.endpoints.join(", ")}`;
}

function describeSource(ready: ReadyConfig | undefined, config: ServiceConfig): string {
  if (!ready) return config.health.check ? "its first passing health probe" : "running 1 s (no probe)";
  if (ready.kind === "log") return `an output line matching /${ready.pattern}/`;
  if (ready.kind === "systemd") return "sd_notify READY=1 on NOTIFY_SOCKET";
  if (ready.kind === "fd") return `a newline on fd ${ready.fd}`;
  return `${describeCheck(ready.check)} (readiness probe, every ${formatDuration(ready.intervalMs)})`;
}

/** The facts in the order the panel lists them; `readiness` (from the summary) adds what the service said. */
export function describeReadiness(config: ServiceConfig, readiness?: ServiceSummary["readiness"]): ConfigFact[] {
  const ready = config.ready;
  const said = readiness?.signal ? ` · ready by ${readiness.signal}` : readiness && !readiness.ready ? " · not ready yet" : "";
  const facts: ConfigFact[] = [{ key: "ready", label: "ready when", value: `${describeSource(ready, config)}${said}` }];
  if (readiness?.status) facts.push({ key: "notify-status", label: "status", value: readiness.status });
  if (readiness?.stopping) facts.push({ key: "notify-stopping", label: "stopping", value: "it sent STOPPING=1" });
  if (ready?.kind === "systemd" && ready.watchdogMs !== undefined) facts.push({ key: "watchdog", label: "watchdog", value: `WATCHDOG=1 due every ${formatDuration(ready.watchdogMs)}` });
  if (ready) {
    const check = config.health.check;
    facts.push({ key: "liveness", label: "liveness", value: check ? `${describeCheck(check)} every ${formatDuration(config.health.intervalMs)}, after it is ready` : "none (health: false)" });
  }
  return facts;
}
