/**
 * How a service runs, in words, for the details panel: who it runs as, its umask and nice,
 * its limits, how it stops, whether it is protected, its pid file and its log files (SPEC §13).
 * Keys the manifest leaves unset are left out, so a plain service shows only what always applies.
 */
import type { ServiceConfig } from "../api/types";
import { formatExactSize, type SizeUnit } from "../../lib/exact-size";
import { formatDuration } from "./format";

/** One line of the panel: `key` names it for tests, `mono` for values that are code or paths. */
export interface ConfigFact {
  key: string;
  label: string;
  value: string;
  mono?: boolean;
}

/** Exact sizes as the manifest writes them (1 GiB, 20 MB), never rounded. */
const SIZES: SizeUnit[] = [[" GiB", 1024 ** 3], [" GB", 1000 ** 3], [" MiB", 1024 ** 2], [" MB", 1000 ** 2], [" KiB", 1024], [" kB", 1000]];

/** `1 GiB`, `20 MB`, `1234 B`. */
export function formatSize(bytes: number): string {
  return formatExactSize(bytes, SIZES, " B");
}

const rlimit = (value: number | "unlimited", size = false) => (value === "unlimited" ? "unlimited" : size && value > 0 ? formatSize(value) : String(value));

function accountFacts(config: ServiceConfig): ConfigFact[] {
  const account = config.account;
  if (account) {
    const extra = account.groups.filter((gid) => gid !== account.gid);
    return [
      { key: "user", label: "user", value: `${account.user} (uid ${account.uid})` },
      { key: "group", label: "group", value: `${account.group} (gid ${account.gid})${extra.length ? `, also ${extra.join(", ")}` : ""}` },
    ];
  }
  const facts: ConfigFact[] = [];
  if (config.user !== undefined) facts.push({ key: "user", label: "user", value: config.user });
  if (config.group !== undefined) facts.push({ key: "group", label: "group", value: config.group });
  return facts;
}

function limitFacts(config: ServiceConfig): ConfigFact[] {
  const { memoryBytes, nofile, nproc, core } = config.limits;
  const facts: ConfigFact[] = [];
  if (memoryBytes !== undefined) facts.push({ key: "memory", label: "memory", value: formatSize(memoryBytes) });
  const rlimits = [
    nofile !== undefined && `nofile ${rlimit(nofile)}`,
    nproc !== undefined && `nproc ${rlimit(nproc)}`,
    core !== undefined && `core ${rlimit(core, true)}`,
  ].filter(Boolean);
  if (rlimits.length) facts.push({ key: "rlimits", label: "rlimits", value: rlimits.join(" · ") });
  return facts;
}

/** The facts in the order the panel lists them. */
export function describeRunConfig(config: ServiceConfig): ConfigFact[] {
  const { shutdown, logs } = config;
  const facts = accountFacts(config);
  if (config.umask !== undefined) facts.push({ key: "umask", label: "umask", value: config.umask, mono: true });
  if (config.nice !== undefined) facts.push({ key: "nice", label: "nice", value: String(config.nice) });
  facts.push(...limitFacts(config));
  facts.push({ key: "shutdown", label: "stop", value: `${shutdown.command === undefined ? shutdown.signal : "command"}, then SIGKILL after ${formatDuration(shutdown.timeoutMs)}` });
  if (shutdown.command !== undefined) facts.push({ key: "stop-command", label: "stop command", value: shutdown.command, mono: true });
  facts.push({ key: "protected", label: "protected", value: config.protected ? "yes: other services' healing never restarts it" : "no" });
  if (config.pidFile !== undefined) facts.push({ key: "pid-file", label: "pid file", value: config.pidFile, mono: true });
  const replicas = replicaFact(config);
  if (replicas) facts.push(replicas);
  if (config.data && config.data.length > 0) facts.push({ key: "data", label: "data", value: config.data.join(" · "), mono: true });
  facts.push({ key: "logs", label: "log files", value: `${logs.format}, rotated at ${formatSize(logs.maxBytes)}, ${logs.keep} kept` });
  return facts;
}

// SPEC §15: which instance this is, of how many, behind which proxy, replaced how
function replicaFact(config: ServiceConfig): ConfigFact | null {
  const count = config.replicas ?? 1;
  if (count <= 1 && !config.proxy) return null;
  const parts = [config.replica ? `instance ${config.replica.index} of ${count} of ${config.replica.group}` : `${count} instances`];
  if (config.proxy) parts.push(`behind the proxy on ${config.proxy.host}:${config.proxy.port}`);
  if (config.update) parts.push(`restarts ${config.update.maxSurge > 0 ? `start the new one first (surge ${config.update.maxSurge})` : `${config.update.maxUnavailable} down at a time`}`);
  return { key: "replicas", label: "replicas", value: parts.join(", ") };
}
