/**
 * The host paths a container needs (SPEC §17): each `data` path becomes a volume named after
 * the service, and every other path the service names (its command's arguments, its cwd)
 * that no mount covers is listed in the file header as needing a volume.
 */
import type { Config, ServiceConfig } from "../contract/config";
import { readCommandWords } from "./command-words";
import { toDnsLabel } from "./kubernetes-names";
import { relativePath } from "./service-facts";

/** One `data` path as a volume: its name and where it is mounted in the container. */
export interface DataVolume {
  name: string;
  path: string;
}

/** Volume names by data path: `db-data`, `db-data-2`, ... after the first service (in export order) that keeps state there, so services sharing a path share its volume. */
export type VolumeNames = ReadonlyMap<string, string>;

export function nameDataVolumes(services: readonly ServiceConfig[]): VolumeNames {
  const names = new Map<string, string>();
  for (const service of services) {
    let i = 0;
    for (const path of service.data ?? []) {
      if (names.has(path)) continue;
      i += 1;
      names.set(path, `${toDnsLabel(service.name).slice(0, 50)}-data${i === 1 ? "" : `-${i}`}`);
    }
  }
  return names;
}

/** The service's data paths as volumes (named as `names` says; alone, after the service). */
export function dataVolumes(service: ServiceConfig, names: VolumeNames = nameDataVolumes([service])): DataVolume[] {
  return (service.data ?? []).map((path) => ({ name: names.get(path)!, path }));
}

/** Data paths two or more services keep state in, with those services' names. */
export function sharedDataPaths(services: readonly ServiceConfig[]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const service of services) for (const path of service.data ?? []) users.set(path, [...(users.get(path) ?? []), service.name]);
  return new Map([...users].filter(([, names]) => names.length > 1));
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith("/") ? dir : `${dir}/`);

/**
 * Header lines for the host paths the export leaves out: absolute arguments of the command
 * not under a mounted folder, and the cwd when it is set and not mounted. Program paths
 * (`/usr/lib/postgresql/15/bin/postgres`) are the image's and not listed.
 */
export function unmountedPaths(config: Config, service: ServiceConfig, mounted: readonly string[]): string[] {
  const covered = (path: string) => mounted.some((dir) => inside(path, dir));
  const lines: string[] = [];
  for (const path of readCommandWords(service).paths) {
    if (!covered(path)) lines.push(`${path} (in its command) is a host path the export does not mount: add a volume for it or build it into the image`);
  }
  if (service.cwd !== config.dir && !covered(service.cwd)) lines.push(`its cwd ${relativePath(config, service.cwd)} is not mounted: the official image does not need the checkout; mount it if the command reads files from there`);
  return lines;
}

const LOOPBACK = /\b(127\.0\.0\.1|localhost)\b/;

/** A header line when the command or environment names a loopback address, which inside a container is the container itself. */
export function loopbackNote(service: ServiceConfig): string[] {
  const words = [...(Array.isArray(service.command) ? service.command : [service.command]), ...Object.values(service.env)];
  if (!words.some((w) => LOOPBACK.test(w))) return [];
  return ["its command or env names 127.0.0.1 / localhost: in a container that is the container itself; listen on 0.0.0.0 and reach other services by their name"];
}
