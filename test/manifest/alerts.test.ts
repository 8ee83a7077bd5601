/** `alerts:` and `healing:` (SPEC §16): defaults, `${VAR}` in the URL, and problems that never print the URL. */
import { afterAll, describe, expect, test } from "bun:test";
import { load, removeTrees } from "./helpers";

afterAll(removeTrees);

const fleet = (...lines: string[]) => ["version: 1", "discovery: { roots: [] }", ...lines, "services:", "  a: { command: x }", ""].join("\n");

describe("alerts", () => {
  test("defaults: json, the SPEC's event set, 5m; ${VAR} fills the URL from the environment", () => {
    const env = { PATH: "/usr/bin:/bin", ALERT_URL: "https://hooks.example.com/T000/secret-token" };
    const { config, lines } = load(fleet("alerts:", '  - url: "${ALERT_URL}"', "  - { url: http://127.0.0.1:9/ntfy, format: ntfy, events: [failure, incident], minInterval: 30s }"), { env });
    expect(lines).toEqual([]);
    expect(config!.alerts).toEqual([
      { url: "https://hooks.example.com/T000/secret-token", format: "json", events: ["quarantined", "breaker-opened", "incident", "memory", "watchdog", "rolled-back"], minIntervalMs: 300_000 },
      { url: "http://127.0.0.1:9/ntfy", format: "ntfy", events: ["failure", "incident"], minIntervalMs: 30_000 },
    ]);
    expect(load(fleet()).config!.alerts).toEqual([]);
  });

  test("a URL that is not http(s) is an error at its place that names the scheme, never the URL", () => {
    const env = { PATH: "/usr/bin:/bin", ALERT_URL: "ftp://user:hunter2@example.com/x" };
    const { lines } = load(fleet("alerts:", '  - url: "${ALERT_URL}"', "  - url: not a url"), { env });
    expect(lines).toEqual([
      'orchestrator.yaml:4:10 alerts[0].url: expected an http:// or https:// URL, got one with scheme "ftp:"',
      "orchestrator.yaml:5:10 alerts[1].url: expected an http:// or https:// URL, got a value that is not a URL",
    ]);
    expect(lines.join("\n")).not.toContain("hunter2");
  });

  test("unknown formats and kinds, and an unknown key, are schema errors", () => {
    const { lines } = load(fleet("alerts:", "  - { url: http://x/, format: teams, events: [quarantine], minIntrval: 1m }"));
    expect(lines.length).toBe(3);
    expect(lines[0]).toContain('alerts[0].format: expected one of "json", "slack", "ntfy", got "teams"');
    expect(lines[1]).toContain('alerts[0].events[0]: expected one of');
    expect(lines[1]).toContain('got "quarantine"');
    expect(lines[2]).toContain('alerts[0].minIntrval: unknown key "minIntrval" (did you mean "minInterval"?)');
  });
});

describe("healing", () => {
  test("defaults: no restart cap, incidents of 3 services within 30s; both can be set, incident: false turns it off", () => {
    expect(load(fleet()).config!.healing).toEqual({ maxConcurrentRestarts: null, incident: { windowMs: 30_000, services: 3 } });
    expect(load(fleet("healing: { maxConcurrentRestarts: 4, incident: { window: 10s, services: 2 } }")).config!.healing).toEqual({
      maxConcurrentRestarts: 4,
      incident: { windowMs: 10_000, services: 2 },
    });
    expect(load(fleet("healing: { incident: false }")).config!.healing!.incident).toBeNull();
  });

  test("a cap of 0 and an incident of one service are errors with positions", () => {
    const { lines } = load(fleet("healing: { maxConcurrentRestarts: 0, incident: { services: 1 } }"));
    expect(lines).toEqual([
      "orchestrator.yaml:3:35 healing.maxConcurrentRestarts: expected an integer >= 1, got 0",
      "orchestrator.yaml:3:60 healing.incident.services: expected an integer >= 2, got 1",
    ]);
  });
});
