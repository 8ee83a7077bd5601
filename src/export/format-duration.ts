/** Milliseconds as a Go-style duration (`1m30s`, `250ms`), which Compose and systemd both read. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join("");
}

/** Milliseconds as whole seconds, rounded up and at least 1 (Kubernetes probe fields). */
export function toSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
