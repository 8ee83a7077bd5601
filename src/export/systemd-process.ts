/**
 * The SPEC §13 keys of one service as [Service] settings: who it runs as, umask, nice,
 * rlimits, memory, the stop command and a daemon's pid file. What systemd has no setting for
 * goes to `notes` (the unit's header).
 */
import type { Config, ServiceConfig } from "../contract/config";
import { formatExactSize, type SizeUnit } from "../lib/exact-size";
import { describeLogs, describeProtection, hasOwnLogs, hasOwnProtection } from "./process-facts";
import { installedPath, type SystemdLayout } from "./systemd-layout";
import { renderExecLine } from "./systemd-syntax";

type Settings = [string, string][];

/** systemd reads K, M and G as powers of 1024 (MemoryMax=, LimitCORE=). */
const SYSTEMD_SIZES: SizeUnit[] = [["G", 1024 ** 3], ["M", 1024 ** 2], ["K", 1024]];

const rlimit = (value: number | "unlimited", size = false) => (value === "unlimited" ? "infinity" : size ? formatExactSize(value, SYSTEMD_SIZES) : String(value));

/**
 * User= and Group=: the service's own, else the layout's dedicated user. Names stay names:
 * the unit runs on the target host, whose systemd looks them up and sets the user's
 * supplementary groups (initgroups) itself; without `group`, Group= is left to the user's primary group.
 */
export function renderSystemdAccount(service: ServiceConfig, layout: SystemdLayout): Settings {
  if (service.user === undefined && service.group === undefined) return [["User", layout.user], ["Group", layout.user]];
  const user = service.user ?? layout.user;
  return service.group === undefined ? [["User", user]] : [["User", user], ["Group", service.group]];
}

/** UMask= and Nice=, when set. */
export function renderSystemdCredentials(service: ServiceConfig): Settings {
  const out: Settings = [];
  if (service.umask !== undefined) out.push(["UMask", service.umask]);
  if (service.nice !== undefined) out.push(["Nice", String(service.nice)]);
  return out;
}

/** LimitNOFILE=, LimitNPROC=, LimitCORE= (soft and hard alike, as the orchestrator sets them) and MemoryMax=. */
export function renderSystemdLimits(service: ServiceConfig): Settings {
  const { nofile, nproc, core, memoryBytes } = service.limits;
  const out: Settings = [];
  if (nofile !== undefined) out.push(["LimitNOFILE", rlimit(nofile)]);
  if (nproc !== undefined) out.push(["LimitNPROC", rlimit(nproc)]);
  if (core !== undefined) out.push(["LimitCORE", rlimit(core, true)]);
  if (memoryBytes !== undefined) out.push(["MemoryMax", formatExactSize(memoryBytes, SYSTEMD_SIZES)]);
  return out;
}

const formatSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** Type= (notify for `ready: { notify: systemd }`, with NotifyAccess= and WatchdogSec=; forking for a daemon with a pid file) and PIDFile=. */
export function renderSystemdType(config: Config, layout: SystemdLayout, service: ServiceConfig, oneShot: boolean, notes: string[]): Settings {
  if (oneShot) {
    if (service.pidFile) notes.push("pidFile: a one-shot unit (another service waits for it to complete) cannot be Type=forking; PIDFile= not set");
    return [["Type", "oneshot"], ["RemainAfterExit", "yes"]];
  }
  if (service.ready?.kind === "systemd") {
    // the orchestrator takes messages from any process of the service, as NotifyAccess=all does
    const watchdog = service.ready.watchdogMs;
    if (service.pidFile) notes.push("pidFile: Type=notify takes the main pid from the service itself (MAINPID=); PIDFile= not set");
    return [["Type", "notify"], ["NotifyAccess", "all"], ...(watchdog === undefined ? [] : ([["WatchdogSec", formatSeconds(watchdog)]] as Settings))];
  }
  if (!service.pidFile) return [["Type", "simple"]];
  return [["Type", "forking"], ["PIDFile", installedPath(config, layout, service.pidFile)]];
}

// systemd gives stop commands MAINPID in their environment, as the orchestrator does; `$` is
// doubled in the line, so the shell (not systemd) expands $MAINPID.
/** ExecStop= for `shutdown.command`, run through sh like the orchestrator runs it. */
export function renderSystemdStop(service: ServiceConfig, notes: string[]): Settings {
  const command = service.shutdown.command;
  if (command === undefined) return [];
  notes.push("shutdown.command: systemd sends KillSignal= to what is left as soon as ExecStop= returns (the orchestrator waits shutdown.timeout first): the command should wait for the exit");
  return [["ExecStop", renderExecLine(["sh", "-c", command])]];
}

/** Header lines for the keys systemd keeps elsewhere or has no use for. */
export function noteSystemdUnmapped(service: ServiceConfig, notes: string[]): void {
  if (service.user === "nobody" || service.user === "65534") {
    notes.push("user nobody: systemd warns about units running as nobody (they share its files with every other such process); a dedicated user is safer");
  }
  if (hasOwnLogs(service)) notes.push(`${describeLogs(service.logs)}: journald keeps the output, rotated by its own settings (journald.conf SystemMaxUse=), not in per-service files`);
  if (hasOwnProtection(service)) notes.push(describeProtection(service, "systemd"));
}
