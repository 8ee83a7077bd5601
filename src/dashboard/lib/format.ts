/** Short, human formats for durations, bytes, percentages and clock times. */
import { clockTime, humanBytes } from "../../lib/format";

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return "—";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Binary units (KiB, MiB), as the CLI prints them. */
export function formatBytes(bytes: number | null | undefined): string {
  return bytes == null || !Number.isFinite(bytes) ? "—" : humanBytes(bytes);
}

export function formatPercent(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? "—" : `${value < 10 ? value.toFixed(1) : Math.round(value)}%`;
}

export function formatLatency(ms: number | null | undefined): string {
  return ms == null ? "—" : ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

export { clockTime as formatClock };

