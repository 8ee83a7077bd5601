/** A unit a size may be written in: its suffix and how many bytes it stands for. */
export type SizeUnit = readonly [suffix: string, bytes: number];

/**
 * `bytes` written in the first of `units` that divides it exactly (`1073741824` with
 * `[["G", 1024 ** 3]]` is `1G`), else as plain bytes followed by `bytesSuffix`: never rounded,
 * so an engine reading the text gets the very limit the manifest gave.
 */
export function formatExactSize(bytes: number, units: readonly SizeUnit[], bytesSuffix = ""): string {
  if (bytes > 0) {
    for (const [suffix, size] of units) if (bytes % size === 0) return `${bytes / size}${suffix}`;
  }
  return `${bytes}${bytesSuffix}`;
}
