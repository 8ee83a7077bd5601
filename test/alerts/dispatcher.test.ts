/** Alerts against a real HTTP receiver (Bun.serve on 127.0.0.1); dedupe and retries on a fake clock. */
import { afterAll, describe, expect, test } from "bun:test";
import { AlertDispatcher, RETRY_DELAYS_MS } from "../../src/alerts/dispatcher";
import type { AlertConfig, AlertFormat } from "../../src/contract/config";
import type { EventBody, OrchestratorEvent } from "../../src/contract/events";
import { FakeClock } from "../../src/lib/clock";

interface Received {
  headers: Headers;
  body: string;
}

const received: Received[] = [];
let answer = 200;
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    received.push({ headers: request.headers, body: await request.text() });
    return new Response("ok", { status: answer });
  },
});
afterAll(() => receiver.stop(true));
const URL_WITH_SECRET = `http://127.0.0.1:${receiver.port}/hooks/T000/secret-token`;

/** Resolves once `n` requests in all have reached the receiver. */
const until = (n: number) => waitFor(() => received.length >= n);

let seq = 0;
const at = (clock: FakeClock, body: EventBody): OrchestratorEvent => ({ ...body, seq: ++seq, ts: clock.now() }) as OrchestratorEvent;
const quarantined = (clock: FakeClock, service = "api") =>
  at(clock, { type: "healing", payload: { service, action: "quarantined", attempt: 8, tier: "quarantine", reason: "no more automatic restarts after 7 attempts; last failure: exited with code 1", ts: clock.now() } });

function setup(alerts: Partial<AlertConfig> & { format?: AlertFormat } = {}, clock = new FakeClock()) {
  const config: AlertConfig = { url: URL_WITH_SECRET, format: "json", events: ["quarantined", "breaker-opened", "incident", "memory"], minIntervalMs: 300_000, ...alerts };
  const dispatcher = new AlertDispatcher({ clock, alerts: () => [config], fleet: () => "shop" });
  return { clock, dispatcher };
}

describe("alert formats, to a real receiver", () => {
  test("json: {kind, service, reason, attempt, ts, fleet}", async () => {
    received.length = 0;
    const { clock, dispatcher } = setup({ format: "json" });
    dispatcher.handle(quarantined(clock));
    await until(1);
    expect(received[0].headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(received[0].body)).toEqual({
      kind: "quarantined",
      service: "api",
      reason: "no more automatic restarts after 7 attempts; last failure: exited with code 1",
      attempt: 8,
      ts: clock.now(),
      fleet: "shop",
    });
  });

  test("slack: {text} with the title in bold", async () => {
    received.length = 0;
    const { clock, dispatcher } = setup({ format: "slack" });
    dispatcher.handle(quarantined(clock));
    await until(1);
    const { text } = JSON.parse(received[0].body);
    expect(text.split("\n").slice(0, 3)).toEqual(["*shop: api quarantined*", "no more automatic restarts after 7 attempts; last failure: exited with code 1", "attempt 8"]);
  });

  test("ntfy: a text body and a Title header", async () => {
    received.length = 0;
    const { clock, dispatcher } = setup({ format: "ntfy" });
    dispatcher.handle(quarantined(clock));
    await until(1);
    expect(received[0].headers.get("title")).toBe("shop: api quarantined");
    expect(received[0].headers.get("tags")).toBe("quarantined");
    expect(received[0].body.split("\n")[0]).toBe("no more automatic restarts after 7 attempts; last failure: exited with code 1");
  });

  test("an incident: one alert with its services and common upstream; its services' own alerts are folded into it", async () => {
    received.length = 0;
    const { clock, dispatcher } = setup();
    const incident = at(clock, {
      type: "incident",
      payload: { id: 1, action: "opened", services: ["api", "web", "jobs"], first: { service: "api", reason: "exited with code 1", ts: clock.now() }, upstream: "db", windowMs: 30_000, ts: clock.now() },
    });
    dispatcher.handle(incident);
    for (const name of ["api", "web", "jobs"]) dispatcher.handle(at(clock, { type: "healing", payload: { service: name, action: "breaker-opened", attempt: 3, reason: "3 failures within 60000ms", ts: clock.now() } }));
    await waitFor(() => dispatcher.stats()[0].sent === 1);
    expect(JSON.parse(received[0].body)).toMatchObject({ kind: "incident", service: "api", services: ["api", "web", "jobs"], upstream: "db" });
    expect(JSON.parse(received[0].body).reason).toBe("3 services failed within 30s (api, web, jobs); first api: exited with code 1; common upstream: db");
    expect(dispatcher.stats()[0]).toMatchObject({ sent: 1, suppressed: 3 });
    // after the window, a member's alert goes out again, saying how many were held back
    await clock.advance(30_001);
    dispatcher.handle(at(clock, { type: "healing", payload: { service: "web", action: "breaker-opened", attempt: 5, reason: "3 failures within 60000ms", ts: clock.now() } }));
    await until(2);
    expect(JSON.parse(received[1].body)).toMatchObject({ kind: "breaker-opened", service: "web", suppressed: 1 });
  });

  test("only the kinds asked for; a memory failure is `memory`, other failures are `failure`", async () => {
    received.length = 0;
    const { clock, dispatcher } = setup({ events: ["memory"] });
    const detected = (cause: "memory" | "exit") => at(clock, { type: "healing", payload: { service: "api", action: "detected", attempt: 0, reason: cause === "memory" ? "memory: RSS 80 MiB is over limits.memory 64 MiB" : "exited with code 1", cause, ts: clock.now() } });
    dispatcher.handle(detected("exit"));
    dispatcher.handle(quarantined(clock));
    dispatcher.handle(detected("memory"));
    await until(1);
    expect(received.map((r) => JSON.parse(r.body).kind)).toEqual(["memory"]);
    expect(dispatcher.stats()[0].suppressed).toBe(0);
  });

  test("a missed watchdog (SPEC §14) is alerted as `watchdog`", async () => {
    received.length = 0;
    const { clock, dispatcher } = setup({ events: ["watchdog"] });
    dispatcher.handle(at(clock, { type: "healing", payload: { service: "db", action: "detected", attempt: 0, reason: "watchdog: no WATCHDOG=1 within 30s", cause: "watchdog", ts: clock.now() } }));
    await until(1);
    expect(received.map((r) => JSON.parse(r.body))).toEqual([expect.objectContaining({ kind: "watchdog", service: "db", reason: "watchdog: no WATCHDOG=1 within 30s" })]);
  });
});

describe("minInterval: one alert per (kind, service) per interval", () => {
  test("repeats within the interval are counted, and the next alert after it carries the count", async () => {
    received.length = 0;
    const { clock, dispatcher } = setup({ minIntervalMs: 60_000 });
    dispatcher.handle(quarantined(clock, "api"));
    await clock.advance(10_000);
    dispatcher.handle(quarantined(clock, "api"));
    dispatcher.handle(quarantined(clock, "api"));
    dispatcher.handle(quarantined(clock, "web")); // another service: its own key
    await waitFor(() => dispatcher.stats()[0].sent === 2);
    expect(received.map((r) => JSON.parse(r.body).service).sort()).toEqual(["api", "web"]);
    expect(dispatcher.stats()[0]).toMatchObject({ sent: 2, suppressed: 2 });
    await clock.advance(50_000);
    dispatcher.handle(quarantined(clock, "api"));
    await until(3);
    expect(JSON.parse(received[2].body)).toMatchObject({ service: "api", suppressed: 2 });
    expect(JSON.parse(received[0].body).suppressed).toBeUndefined();
  });
});

describe("an endpoint that fails", () => {
  test("a 500 is retried with backoff on the clock, then given up and counted; the URL never shows", async () => {
    received.length = 0;
    answer = 500;
    try {
      const { clock, dispatcher } = setup();
      dispatcher.handle(quarantined(clock));
      await until(1);
      await waitFor(() => dispatcher.stats()[0].retries === 1);
      expect(dispatcher.stats()[0]).toMatchObject({ sent: 0, failed: 0, pending: 1, lastError: "expected a 2xx answer, got HTTP 500" });
      for (const [i, delay] of RETRY_DELAYS_MS.entries()) {
        await clock.advance(delay);
        await until(i + 2);
      }
      await waitFor(() => dispatcher.stats()[0].failed === 1);
      const stats = dispatcher.stats()[0];
      expect(stats).toMatchObject({ sent: 0, failed: 1, retries: 3, pending: 0, target: `http://127.0.0.1:${receiver.port}/…` });
      expect(JSON.stringify(stats)).not.toContain("secret-token");
    } finally {
      answer = 200;
    }
  });

  test("an endpoint that is down: handle returns at once, the error is counted without the URL", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const url = `http://127.0.0.1:${closed.port}/topic/secret-topic`;
    closed.stop(true);
    const clock = new FakeClock();
    const dispatcher = new AlertDispatcher({ clock, alerts: () => [{ url, format: "ntfy", events: ["quarantined"], minIntervalMs: 0 }], fleet: () => "shop" });
    dispatcher.handle(quarantined(clock));
    expect(dispatcher.stats()[0]).toMatchObject({ pending: 1, sent: 0 }); // nothing awaited: still in flight
    await waitFor(() => dispatcher.stats()[0].retries === 1);
    const { lastError } = dispatcher.stats()[0];
    expect(lastError).toBeString();
    expect(lastError).not.toContain("secret-topic");
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await Bun.sleep(10);
  expect(condition()).toBe(true);
}
