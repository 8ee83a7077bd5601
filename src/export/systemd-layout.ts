import { posix } from "node:path";
import type { Config } from "../contract/config";
import { relativePath } from "./service-facts";
import { toUnitName } from "./systemd-syntax";
import type { SystemdOptions } from "./types";

/** Resolved systemd options: where things live on the server. */
export interface SystemdLayout {
  binaryPath: string;
  user: string;
  installDir: string;
}

/** The server layout with defaults: /usr/local/bin/orchestrator, user `orchestrator`, /opt/NAME. */
export function resolveLayout(config: Config, options: SystemdOptions): SystemdLayout {
  return {
    binaryPath: options.binaryPath ?? "/usr/local/bin/orchestrator",
    user: options.user ?? "orchestrator",
    installDir: options.installDir ?? `/opt/${toUnitName(config.name)}`,
  };
}

/** Where an absolute path of the manifest's machine lives under the install directory. */
export function installedPath(config: Config, layout: SystemdLayout, absolutePath: string): string {
  const rel = relativePath(config, absolutePath);
  return rel.startsWith("../") ? absolutePath : posix.join(layout.installDir, rel);
}
