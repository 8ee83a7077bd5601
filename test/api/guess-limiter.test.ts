import { describe, expect, test } from "bun:test";
import { createApi } from "../../src/api";
import { clientKey, GuessLimiter } from "../../src/api/guess-limiter";
import { FakeClock } from "../../src/lib/clock";
import { FakePort } from "../helpers/fake-port";

describe("GuessLimiter", () => {
  test("a budget of different wrong tokens per window; then locked until the window ends, then free again", async () => {
    const clock = new FakeClock();
    const limiter = new GuessLimiter(clock, { budget: 3, windowMs: 60_000 });
    for (const token of ["a", "b", "a", "a"]) limiter.recordWrong("10.0.0.1", token);
    expect(limiter.retryAfterMs("10.0.0.1")).toBe(0); // two different so far
    await clock.advance(10_000);
    limiter.recordWrong("10.0.0.1", "c");
    expect(limiter.retryAfterMs("10.0.0.1")).toBe(50_000); // the window started with the first wrong token
    expect(limiter.retryAfterMs("10.0.0.2")).toBe(0); // another client is not affected
    await clock.advance(49_999);
    expect(limiter.retryAfterMs("10.0.0.1")).toBe(1);
    await clock.advance(1);
    expect(limiter.retryAfterMs("10.0.0.1")).toBe(0);
    limiter.recordWrong("10.0.0.1", "d"); // a fresh window
    expect(limiter.retryAfterMs("10.0.0.1")).toBe(0);
  });

  test("memory is bounded: past maxClients the oldest windows are forgotten", () => {
    const clock = new FakeClock();
    const limiter = new GuessLimiter(clock, { budget: 1, maxClients: 100 });
    for (let i = 0; i < 10_000; i++) limiter.recordWrong(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, "x");
    expect(limiter.size).toBe(100);
    expect(limiter.retryAfterMs("10.0.39.15")).toBeGreaterThan(0); // the newest (i = 9999) is still locked
    expect(limiter.retryAfterMs("10.0.0.0")).toBe(0); // the first was forgotten
  });

  test("IPv6 clients are counted per /64; IPv4-mapped addresses as IPv4", () => {
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(clientKey("192.0.2.7")).toBe("192.0.2.7");
  });
});

describe("wrong tokens through the API (in process, one client)", () => {
  const port = new FakePort();

  test("429 with Retry-After for every token while locked out, the right one included; the right one passes once the window has passed", async () => {
    const clock = new FakeClock();
    const api = createApi(port, { token: "right-token", cors: [], host: "127.0.0.1", port: 9000, guesses: { budget: 2, windowMs: 30_000 }, clock });
    const session = async (token: string) => api.handle(new Request("http://127.0.0.1:9000/orchestrator/session", { headers: { authorization: `Bearer ${token}` } }));
    expect((await session("w1")).status).toBe(200);
    expect((await api.handle(new Request("http://127.0.0.1:9000/orchestrator/services", { headers: { authorization: "Bearer w2" } }))).status).toBe(401);
    for (const token of ["w3", "right-token"]) {
      const res = await session(token);
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("30");
    }
    // no token at all is no guess: open routes answer, guarded ones say 401 as ever
    expect((await api.handle(new Request("http://127.0.0.1:9000/orchestrator/services"))).status).toBe(401);
    await clock.advance(29_000);
    expect((await session("right-token")).headers.get("retry-after")).toBe("1");
    await clock.advance(1_000);
    expect(await (await session("right-token")).json()).toEqual({ tokenRequired: true, authenticated: true });
  });
});
