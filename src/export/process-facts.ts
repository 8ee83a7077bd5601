/**
 * What the SPEC §13 keys of a service say, as every export renderer reads them: whether the
 * manifest said anything beyond the defaults, and the phrases the file headers use for them.
 */
import type { LogsConfig, ServiceConfig } from "../contract/config";
import { formatExactSize, type SizeUnit } from "../lib/exact-size";
import { parseSize } from "../lib/size";
import { DEFAULTS } from "../manifest/defaults";

const DEFAULT_LOGS: LogsConfig = { maxBytes: parseSize(DEFAULTS.logs.maxSize)!, keep: DEFAULTS.logs.keep, format: DEFAULTS.logs.format };

/** The manifest's own size units, so a header says `20MB` or `64MiB` as the manifest would. */
const MANIFEST_SIZES: SizeUnit[] = [["GiB", 1024 ** 3], ["GB", 1000 ** 3], ["MiB", 1024 ** 2], ["MB", 1000 ** 2], ["KiB", 1024], ["KB", 1000]];

/** A size as the manifest writes it: `1GiB`, `20MB`, or bytes. */
export function manifestSize(bytes: number): string {
  return formatExactSize(bytes, MANIFEST_SIZES);
}

/** Whether the service's log files differ from the built-in 10MB × 5, raw: only then has the manifest said something to map. */
export function hasOwnLogs(service: ServiceConfig): boolean {
  const { maxBytes, keep, format } = service.logs;
  return maxBytes !== DEFAULT_LOGS.maxBytes || keep !== DEFAULT_LOGS.keep || format !== DEFAULT_LOGS.format;
}

/** `logs (maxSize 20MB, keep 3, format json)`. */
export function describeLogs(logs: LogsConfig): string {
  return `logs (maxSize ${manifestSize(logs.maxBytes)}, keep ${logs.keep}, format ${logs.format})`;
}

/** Whether `protected` says something other than its default (true in phase 0, false elsewhere). */
export function hasOwnProtection(service: ServiceConfig): boolean {
  return service.protected !== (service.phase === 0);
}

// No engine restarts a service because another one failed (the dependencies tier exists only
// in the orchestrator), so `protected: true` holds there by construction and `false` cannot.
/** The header line for a `protected` the manifest set against its default, for `engine`. */
export function describeProtection(service: ServiceConfig, engine: string): string {
  return service.protected
    ? `protected: nothing to map: ${engine} never restarts a service because another one fails, so no other service's healing restarts it`
    : `protected: false: ${engine} never restarts a service's dependencies when it fails, so it is not restarted for its dependents either`;
}

/** Whether a user or group is written as a numeric id (`"101"`) rather than a name. */
export function isNumericId(text: string): boolean {
  return /^\d+$/.test(text);
}

/** The rlimits a service sets, as `nofile 65536, core 0`; empty when it sets none. */
export function describeRlimits(service: ServiceConfig): string {
  const { nofile, nproc, core } = service.limits;
  const parts: string[] = [];
  if (nofile !== undefined) parts.push(`nofile ${nofile}`);
  if (nproc !== undefined) parts.push(`nproc ${nproc}`);
  if (core !== undefined) parts.push(`core ${core === "unlimited" ? core : manifestSize(core)}`);
  return parts.join(", ");
}
