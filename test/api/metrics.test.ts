import { afterAll, beforeAll, expect, test } from "bun:test";
import { escapeLabelValue } from "../../src/api/metrics";
import { startApiFleet, type ApiFleet } from "../helpers/fleet-harness";

let h: ApiFleet;
beforeAll(async () => {
  h = await startApiFleet();
});
afterAll(async () => {
  await h?.cleanup();
});

interface Family {
  help?: string;
  type?: string;
  samples: { labels: Record<string, string>; value: number }[];
}

/** A strict reader of the text format 0.0.4: throws on any line it does not understand. */
function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => families.get(name) ?? families.set(name, { samples: [] }).get(name)!;
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === "HELP") family(meta[2]!).help = meta[3];
      else if (["counter", "gauge", "histogram", "summary", "untyped"].includes(meta[3]!)) family(meta[2]!).type = meta[3];
      else throw new Error(`bad TYPE line: ${line}`);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const value = Number(sample[3]);
    if (Number.isNaN(value)) throw new Error(`bad value in: ${line}`);
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!;
    const f = families.get(sample[1]!);
    if (!f?.type) throw new Error(`sample before its TYPE: ${line}`);
    f.samples.push({ labels, value });
  }
  return families;
}

test("GET /metrics is Prometheus text 0.0.4: every metric has HELP and TYPE, every line parses", async () => {
  const res = await h.request("/metrics");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const families = parsePrometheus(await res.text());
  for (const [name, f] of families) {
    expect({ name, help: Boolean(f.help), type: Boolean(f.type) }).toEqual({ name, help: true, type: true });
    if (f.type === "counter") expect(name).toEndWith("_total");
  }
  const value = (name: string, labels: Record<string, string> = {}) =>
    families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  expect(value("orchestrator_service_up", { service: "api" })).toBe(1);
  expect(value("orchestrator_service_state", { service: "api", state: "healthy" })).toBe(1);
  expect(value("orchestrator_service_state", { service: "api", state: "stopped" })).toBe(0);
  expect(families.get("orchestrator_service_state")!.samples.filter((s) => s.labels.service === "db" && s.value === 1)).toHaveLength(1);
  expect(value("orchestrator_service_restarts_total", { service: "db" })).toBe(0);
  expect(value("orchestrator_service_memory_bytes", { service: "db" })).toBeGreaterThan(1_000_000);
  expect(value("orchestrator_service_health_latency_seconds", { service: "db" })).toBeLessThan(5);
  expect(value("orchestrator_probes_total")).toBeGreaterThan(0);
  expect(value("orchestrator_events_total")).toBe(h.port.stats().events.lastSeq);
  expect(value("orchestrator_process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
  expect(value("orchestrator_uptime_seconds")).toBeGreaterThanOrEqual(0);
  expect(value("orchestrator_system_state", { state: "ready" })).toBe(1);
  for (const name of ["orchestrator_service_cpu_ratio", "orchestrator_info", "orchestrator_stream_subscribers"]) expect(families.has(name)).toBe(true);
});

test("label values escape backslash, double quote and newline", () => {
  expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
});
