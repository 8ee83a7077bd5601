/**
 * The SPEC §13 keys of one service as Compose service fields: `user`, `ulimits`, `mem_limit`
 * and, when the manifest sets its own log rotation, the json-file `logging` options. What
 * Compose has no field for goes to `notes` (the comment above the service).
 */
import type { ServiceConfig } from "../contract/config";
import { formatExactSize, type SizeUnit } from "../lib/exact-size";
import { describeLogs, describeProtection, hasOwnLogs, hasOwnProtection } from "./process-facts";

/** Compose reads mem_limit's k, m and g as powers of 1024 (go-units RAMInBytes)... */
const MEMORY_SIZES: SizeUnit[] = [["g", 1024 ** 3], ["m", 1024 ** 2], ["k", 1024]];
/** ...and the json-file driver reads max-size's as powers of 1000 (go-units FromHumanSize). */
const LOG_SIZES: SizeUnit[] = [["g", 1000 ** 3], ["m", 1000 ** 2], ["k", 1000]];

/** Docker takes -1 for an unlimited rlimit. */
const ulimit = (value: number | "unlimited") => (value === "unlimited" ? -1 : value);

/** `user`: the user (name or uid) the container's image resolves, with `:group` when set. */
export function renderComposeUser(service: ServiceConfig, notes: string[]): Record<string, unknown> {
  if (service.user !== undefined) return { user: service.group === undefined ? service.user : `${service.user}:${service.group}` };
  if (service.group !== undefined) notes.push(`group ${service.group} without user: Compose's user names a user first; not mapped (the image's user runs)`);
  return {};
}

/** `ulimits` (soft and hard alike), `mem_limit` and `logging`, with notes for what has no field. */
export function renderComposeLimits(service: ServiceConfig, notes: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { nofile, nproc, core, memoryBytes } = service.limits;
  const ulimits: Record<string, number> = {};
  if (nofile !== undefined) ulimits.nofile = ulimit(nofile);
  if (nproc !== undefined) ulimits.nproc = ulimit(nproc);
  if (core !== undefined) ulimits.core = ulimit(core);
  if (Object.keys(ulimits).length > 0) out.ulimits = ulimits;
  if (memoryBytes !== undefined) out.mem_limit = memoryLimit(memoryBytes);
  const logging = renderLogging(service, notes);
  if (logging) out.logging = logging;
  noteComposeUnmapped(service, notes);
  return out;
}

function memoryLimit(bytes: number): string | number {
  const text = formatExactSize(bytes, MEMORY_SIZES);
  return text === String(bytes) ? bytes : text;
}

// json-file's max-file counts the live file too: the orchestrator keeps `keep` rotated files besides it.
function renderLogging(service: ServiceConfig, notes: string[]): Record<string, unknown> | undefined {
  if (!hasOwnLogs(service)) return undefined;
  const { maxBytes, keep, format } = service.logs;
  if (maxBytes <= 0) {
    notes.push(`${describeLogs(service.logs)}: json-file needs a positive max-size; not mapped`);
    return undefined;
  }
  notes.push(`logs.format ${format}: the json-file driver writes its own records ({log, stream, time})`);
  return { driver: "json-file", options: { "max-size": formatExactSize(maxBytes, LOG_SIZES), "max-file": String(keep + 1) } };
}

function noteComposeUnmapped(service: ServiceConfig, notes: string[]): void {
  if (service.umask !== undefined) notes.push(`umask ${service.umask}: Compose has no umask setting (set it in the image or the command)`);
  if (service.nice !== undefined) notes.push(`nice ${service.nice}: Compose has no scheduling priority setting`);
  if (service.shutdown.command !== undefined) notes.push(`shutdown.command: Compose has no stop command; docker stop sends stop_signal instead`);
  if (service.pidFile !== undefined) notes.push(`pidFile: Compose supervises the container's main process only; run the daemon in the foreground`);
  if (hasOwnProtection(service)) notes.push(describeProtection(service, "Compose"));
}
