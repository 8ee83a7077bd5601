/** A soak's samples by minute: the medians of RSS, RssAnon and RssFile, the mean CPU, and the growth once settled. */
import { percentile } from "./measure";

export type MinuteRow = [minute: number, rssMiB: number, anonMiB: number, fileMiB: number, cpuPercent: number];
export interface SettledGrowth {
  fromMinute: number;
  rssGrowthMiB: number | null;
  anonGrowthMiB: number | null;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? percentile(sorted, 50) : NaN;
};

/** The samples grouped by minute since the first kill (the last sample, taken after recovery, joins the last minute). */
function byMinute<T extends [number, ...number[]]>(samples: T[]): Map<number, T[]> {
  const minutes = new Map<number, T[]>();
  for (const sample of samples) {
    const minute = Math.floor(sample[0] / 60);
    minutes.set(minute, [...(minutes.get(minute) ?? []), sample]);
  }
  return minutes;
}

export function perMinute(rss: [number, number][], split: [number, number, number][], cpu: [number, number][]): MinuteRow[] {
  const r = byMinute(rss);
  const s = byMinute(split);
  const c = byMinute(cpu);
  return [...r.keys()].sort((a, b) => a - b).map((m) => {
    const mean = (c.get(m) ?? []).reduce((sum, [, v]) => sum + v, 0) / Math.max(1, (c.get(m) ?? []).length);
    return [m, round(median(r.get(m)!.map(([, v]) => v))), round(median((s.get(m) ?? []).map(([, a]) => a))), round(median((s.get(m) ?? []).map(([, , f]) => f))), round(mean)];
  });
}

/** From the median of minute `fromMinute` to the median of the last minute; null when the run did not go past `fromMinute`. */
export function settledGrowth(rss: [number, number][], split: [number, number, number][], fromMinute: number): SettledGrowth {
  const rows = perMinute(rss, split, []);
  const from = rows.find(([m]) => m === fromMinute);
  const last = rows[rows.length - 1];
  if (!from || !last || last[0] <= fromMinute) return { fromMinute, rssGrowthMiB: null, anonGrowthMiB: null };
  return { fromMinute, rssGrowthMiB: round(last[1] - from[1]), anonGrowthMiB: round(last[2] - from[2]) };
}
