/** Shared shapes for the export renderers: every renderer is a pure `Config → ExportFile[]`. */

/** One generated file: `path` is relative to the output directory, `content` ends with a newline. */
export interface ExportFile {
  path: string;
  content: string;
}

/** The engines `orchestrator export` can target. */
export type ExportTarget = "compose" | "kubernetes" | "systemd";

/** The targets in the order the CLI lists them. */
export const EXPORT_TARGETS: readonly ExportTarget[] = ["compose", "kubernetes", "systemd"];

/** Answers whether a file exists; injected so renderers stay pure in tests. */
export type FileExists = (absolutePath: string) => boolean;

export interface ComposeOptions {
  /** Used to decide `build` (a Dockerfile in the service's cwd) over `image`. */
  fileExists?: FileExists;
}

export interface KubernetesOptions {
  /** Put every object in this namespace and emit the Namespace itself. */
  namespace?: string;
  fileExists?: FileExists;
}

export interface SystemdOptions {
  /** Absolute path of the installed orchestrator binary (default /usr/local/bin/orchestrator). */
  binaryPath?: string;
  /** The dedicated user every unit runs as (default `orchestrator`). */
  user?: string;
  /** Where the project (the manifest's directory) is installed on the server (default /opt/NAME). */
  installDir?: string;
}
