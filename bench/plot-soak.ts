/**
 * Plots a chaos/soak run's orchestrator RSS (and its anonymous part, RssAnon) and CPU over time
 * as an SVG (no dependencies), with the settle minute the report's growth is counted from.
 *   bun bench/chaos.ts … > report.out         # the first line is the JSON report
 *   bun bench/plot-soak.ts report.out docs/soak.svg
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { ChaosReport } from "./chaos";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: bun bench/plot-soak.ts REPORT OUT.svg   (REPORT: the output of bench/chaos.ts; its first line is the JSON report)");
  process.exit(2);
}
const report = JSON.parse(readFileSync(input, "utf8").split("\n")[0]!) as ChaosReport;
writeFileSync(output, plot(report));
console.log(`plot-soak: wrote ${output} (${report.rss.samples.length} RSS samples, ${report.cpu.samples.length} CPU samples)`);

function plot(r: ChaosReport): string {
  const width = 760;
  const height = 360;
  const left = 60;
  const right = 60;
  const top = 40;
  const bottom = 50;
  const rss = r.rss.samples;
  const anon: [number, number][] = (r.rss.split ?? []).map(([t, a]) => [t, a]);
  const cpu = r.cpu.samples;
  const maxT = Math.max(...rss.map(([t]) => t), ...cpu.map(([t]) => t), 1);
  const rssMin = Math.floor(Math.min(...rss.map(([, m]) => m), ...anon.map(([, m]) => m)) / 10) * 10;
  const rssMax = Math.ceil(Math.max(...rss.map(([, m]) => m)) / 10) * 10 || rssMin + 10;
  const cpuMax = Math.max(1, Math.ceil(Math.max(...cpu.map(([, c]) => c))));
  const x = (t: number) => left + ((width - left - right) * t) / maxT;
  const yRss = (m: number) => top + (height - top - bottom) * (1 - (m - rssMin) / (rssMax - rssMin));
  const yCpu = (c: number) => top + (height - top - bottom) * (1 - c / cpuMax);
  const path = (points: [number, number][], y: (v: number) => number) =>
    points.map(([t, v], i) => `${i === 0 ? "M" : "L"}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const minutes = Math.ceil(maxT / 60);
  const step = minutes > 30 ? 10 : minutes > 10 ? 5 : 1;
  const ticksX: string[] = [];
  for (let m = 0; m <= minutes; m += step) {
    ticksX.push(`<line x1="${x(m * 60)}" y1="${height - bottom}" x2="${x(m * 60)}" y2="${height - bottom + 5}" stroke="#444"/>`);
    ticksX.push(`<text x="${x(m * 60)}" y="${height - bottom + 18}" text-anchor="middle">${m}</text>`);
  }
  const ticksY: string[] = [];
  const rssStep = [5, 10, 20, 50, 100].find((step) => (rssMax - rssMin) / step <= 6) ?? 200; // round MiB ticks
  for (let m = rssMin; m <= rssMax; m += rssStep) {
    ticksY.push(`<text x="${left - 6}" y="${yRss(m) + 4}" text-anchor="end" fill="#1f6feb">${Math.round(m)}</text>`);
    ticksY.push(`<line x1="${left}" y1="${yRss(m)}" x2="${width - right}" y2="${yRss(m)}" stroke="#ddd"/>`);
  }
  for (let c = 0; c <= cpuMax; c += Math.max(1, Math.round(cpuMax / 4))) {
    ticksY.push(`<text x="${width - right + 6}" y="${yCpu(c) + 4}" fill="#d1242f">${c}</text>`);
  }
  const fleet = r.mixed ? `mixed fleet (pg, redis, app, nginx, ${r.services} tinyhttp, 3 replicas)` : `${r.services} services`;
  const title = `Soak: ${fleet}, ${r.kills} kill -9 over ${Math.round(r.killWindowSeconds / 60)} min, ${r.api.rps} API req/s (${r.date.slice(0, 10)})`;
  const settle = r.settled && r.settled.fromMinute * 60 < maxT ? r.settled : null; // older reports have none
  const settleMark = settle
    ? `<line x1="${x(settle.fromMinute * 60)}" y1="${top}" x2="${x(settle.fromMinute * 60)}" y2="${height - bottom}" stroke="#888" stroke-dasharray="4 3"/>
<text x="${x(settle.fromMinute * 60) + 4}" y="${top + 12}" fill="#555">from here: ${settle.rssGrowthMiB ?? "?"} MiB RSS, ${settle.anonGrowthMiB ?? "?"} MiB anon</text>`
    : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${width / 2}" y="20" text-anchor="middle" font-size="${r.mixed ? 11 : 14}">${title}</text>
${ticksY.join("\n")}
<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#444"/>
${ticksX.join("\n")}
<text x="${width / 2}" y="${height - 12}" text-anchor="middle">minutes since the first kill</text>
<text x="14" y="${height / 2}" transform="rotate(-90 14 ${height / 2})" text-anchor="middle" fill="#1f6feb">orchestrator RSS, MiB</text>
<text x="${width - 14}" y="${height / 2}" transform="rotate(90 ${width - 14} ${height / 2})" text-anchor="middle" fill="#d1242f">CPU, % of a core</text>
<path d="${path(cpu, yCpu)}" fill="none" stroke="#d1242f" stroke-width="1.5"/>
<path d="${path(rss, yRss)}" fill="none" stroke="#1f6feb" stroke-width="2"/>
${anon.length ? `<path d="${path(anon, yRss)}" fill="none" stroke="#1f6feb" stroke-width="1.5" stroke-dasharray="5 3"/>
<text x="${left + 6}" y="${height - bottom - 6}" fill="#1f6feb">solid: RSS; dashed: RssAnon</text>` : ""}
${settleMark}
</svg>
`;
}
