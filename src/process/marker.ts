/**
 * The marker every service process carries in its environment, and so do its descendants
 * (environments are inherited): `ORCHESTRATOR_SERVICE=<run>/<spawn>/<name>`. It lets the
 * spawner and the watchdog find a daemon that left its process group and session.
 * `<run>` tells two orchestrators (or two spawners) on one host apart; `<spawn>` tells the
 * old and the new process of a restart apart; exec probes carry `<run>/probe/<name>`.
 */
import { readFileSync } from "node:fs";

export const MARKER_VAR = "ORCHESTRATOR_SERVICE";

export interface Marker {
  runId: string;
  /** The spawn's number in its run, or "probe" for an exec probe of the service. */
  spawn: number | "probe";
  name: string;
}

/** A new run id: the pid and 8 random hex digits, so only `[0-9a-f-]` (the watchdog puts it in a grep pattern). */
export function createRunId(): string {
  return `${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
}

export function formatMarker(marker: Marker): string {
  return `${marker.runId}/${marker.spawn}/${marker.name}`;
}

/** The parts of a marker value; null when it is not one (the name may itself hold "/"). */
export function parseMarker(value: string): Marker | null {
  const first = value.indexOf("/");
  const second = value.indexOf("/", first + 1);
  if (first <= 0 || second < 0 || second === value.length - 1) return null;
  const spawnText = value.slice(first + 1, second);
  const spawn = spawnText === "probe" ? "probe" : /^[1-9][0-9]*$/.test(spawnText) ? Number(spawnText) : null;
  if (spawn === null) return null;
  return { runId: value.slice(0, first), spawn, name: value.slice(second + 1) };
}

/** The marker value in an environ block (NUL-separated `NAME=value` entries), or null. */
export function findMarker(environ: string): string | null {
  const key = `${MARKER_VAR}=`;
  let at = 0;
  if (!environ.startsWith(key)) {
    const found = environ.indexOf(`\0${key}`);
    if (found < 0) return null;
    at = found + 1;
  }
  const end = environ.indexOf("\0", at);
  return environ.slice(at + key.length, end < 0 ? undefined : end);
}

/**
 * The marker in /proc/PID/environ: the environment the process was exec'd with (a later
 * setenv/clearenv does not change it; an exec with an emptied environment does). Null when
 * absent, unreadable (another user's process, when not root) or the process is a zombie.
 */
export function readMarker(pid: number): string | null {
  try {
    return findMarker(readFileSync(`/proc/${pid}/environ`, "latin1"));
  } catch {
    return null;
  }
}
