/** `ready` and `watchdog` (SPEC §14), as resolved and as checked: one source, a regex that compiles, fd with notify: fd, watchdog with notify: systemd. */
import { afterAll, describe, expect, test } from "bun:test";
import { load, removeTrees } from "./helpers";

afterAll(removeTrees);

const fleet = (...lines: string[]) => ["version: 1", "discovery: { roots: [] }", "services:", ...lines, ""].join("\n");

describe("ready resolves", () => {
  test("each source; a probe takes its timing from ready, else from health; fd defaults to 3; watchdog in ms", () => {
    const { config, lines } = load(
      fleet(
        "  a: { command: x, ready: { log: 'ready to accept' } }",
        "  b: { command: x, ready: { notify: systemd }, watchdog: 30s }",
        "  c: { command: x, ready: { notify: fd } }",
        "  d: { command: x, port: 8080, ready: { http: /ready, interval: 250ms }, health: { http: /live, timeout: 2s } }",
        "  e: { command: x, port: 6379, ready: { tcp: true } }",
        "  f: { command: x }",
      ),
    );
    expect(lines).toEqual([]);
    expect(config!.services.map((s) => s.ready)).toEqual([
      { kind: "log", pattern: "ready to accept" },
      { kind: "systemd", watchdogMs: 30_000 },
      { kind: "fd", fd: 3 },
      { kind: "probe", check: { kind: "http", path: "/ready", endpoints: ["/ready"], port: 8080, host: "127.0.0.1" }, intervalMs: 250, timeoutMs: 2000 },
      { kind: "probe", check: { kind: "tcp", port: 6379, host: "127.0.0.1" }, intervalMs: 5000, timeoutMs: 5000 },
      undefined,
    ]);
    expect(config!.services[3].health.check).toEqual({ kind: "http", path: "/live", endpoints: ["/live"], port: 8080, host: "127.0.0.1" });
  });
});

describe("ready is checked", () => {
  test("a regex that does not compile is an error at ready.log", () => {
    expect(load(fleet("  a:", "    command: x", "    ready: { log: 'ready (' }")).lines).toEqual([
      'orchestrator.yaml:6:19 services.a.ready.log: expected a regular expression, got "ready (": Invalid regular expression: missing )',
    ]);
  });

  test("two sources, none, fd without notify: fd, probe timing without a probe", () => {
    const { lines } = load(
      fleet(
        "  a: { command: x, ready: { log: up, http: /ready } }",
        "  b: { command: x, ready: {} }",
        "  c: { command: x, ready: { notify: systemd, fd: 4 } }",
        "  d: { command: x, ready: { log: up, interval: 1s } }",
        "  e: { command: x, ready: { tcp: true } }",
      ),
    );
    expect(lines).toEqual([
      "orchestrator.yaml:4:44 services.a.ready.http: expected one readiness source, got 2: log and http (health is the liveness probe: put the other one there)",
      "orchestrator.yaml:5:27 services.b.ready: expected one readiness source: log, notify, http, tcp or exec; got none",
      "orchestrator.yaml:6:50 services.c.ready.fd: fd is the notification descriptor of notify: fd; got it with notify: systemd",
      "orchestrator.yaml:7:48 services.d.ready.interval: interval is for a readiness probe (http, tcp or exec); log has none",
      "orchestrator.yaml:8:34 services.e.ready.tcp: tcp: true probes the service's own port, but it has no port: give it `port:`, or the port to probe",
    ]);
  });

  test("watchdog needs notify: systemd; a zero watchdog is refused by the schema", () => {
    const { lines } = load(fleet("  a: { command: x, watchdog: 5s }", "  b: { command: x, ready: { notify: fd }, watchdog: 5s }", "  c: { command: x, ready: { notify: systemd }, watchdog: 0 }"));
    expect(lines[0]).toBe("orchestrator.yaml:4:30 services.a.watchdog: watchdog needs ready: { notify: systemd } (the service pings WATCHDOG=1 on NOTIFY_SOCKET), got no ready");
    expect(lines[1]).toBe("orchestrator.yaml:5:53 services.b.watchdog: watchdog needs ready: { notify: systemd } (the service pings WATCHDOG=1 on NOTIFY_SOCKET), got notify: fd");
    expect(lines[2]).toStartWith("orchestrator.yaml:6:58 services.c.watchdog: expected at least 1ms");
  });

  test("unknown keys and a notify other than systemd or fd are schema errors", () => {
    const { lines } = load(fleet("  a: { command: x, ready: { notify: s6, logg: x } }"));
    expect(lines.some((l) => l.includes("services.a.ready.logg: unknown key"))).toBe(true);
    expect(lines.some((l) => l.includes("services.a.ready.notify"))).toBe(true);
  });
});
