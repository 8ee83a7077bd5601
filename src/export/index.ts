/** Export the manifest to other engines: pure renderers from a Config to files. */
import type { Config } from "../contract/config";
import { renderCompose } from "./compose";
import { renderKubernetes } from "./kubernetes";
import { renderSystemd } from "./systemd";
import type { ComposeOptions, ExportFile, ExportTarget, KubernetesOptions, SystemdOptions } from "./types";

export { renderCompose } from "./compose";
export { renderKubernetes } from "./kubernetes";
export { renderSystemd } from "./systemd";
export { EXPORT_TARGETS } from "./types";
export type { ComposeOptions, ExportFile, ExportTarget, FileExists, KubernetesOptions, SystemdOptions } from "./types";

/** Options for any target; each renderer reads only its own. */
export type ExportOptions = ComposeOptions & KubernetesOptions & SystemdOptions;

/** Renders the files of one export target. Same config (and same files on disk) → byte-identical output. */
export function renderExport(target: ExportTarget, config: Config, options: ExportOptions = {}): ExportFile[] {
  if (target === "compose") return renderCompose(config, options);
  if (target === "kubernetes") return renderKubernetes(config, options);
  return renderSystemd(config, options);
}
