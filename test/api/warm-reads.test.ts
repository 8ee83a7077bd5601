/**
 * The reads answered once after a launch (src/api/warm-reads.ts): through the real API in
 * process, with the token when one is set, and without side effects a client would see.
 */
import { describe, expect, test } from "bun:test";
import { WARM_READS, warmReads } from "../../src/api";
import { createFakeApp } from "../helpers/fake-api";
import { FakePort } from "../helpers/fake-port";
import { summary } from "../helpers/fake-data";

const port = () => new FakePort({ name: "warm", services: [summary("db"), summary("api")] });

describe("warmReads", () => {
  test("answers every read, token-guarded ones included, with the token", async () => {
    const h = createFakeApp(port(), { token: "a-token-of-sixteen-chars" });
    const origin = `http://127.0.0.1:${h.apiPort}`;
    expect(await warmReads(h.app, origin, "a-token-of-sixteen-chars")).toBe(WARM_READS.length);
    // it leaves no lockout behind: a client with the right token is served at once
    expect((await h.request("/orchestrator/services", { headers: { authorization: "Bearer a-token-of-sixteen-chars" } })).status).toBe(200);
  });

  test("without the token the guarded reads are refused, and it says so by its count instead of throwing", async () => {
    const h = createFakeApp(port(), { token: "a-token-of-sixteen-chars" });
    expect(await warmReads(h.app, `http://127.0.0.1:${h.apiPort}`)).toBe(1); // /status is open
  });

  test("an API with no token: every read answered", async () => {
    const h = createFakeApp(port());
    expect(await warmReads(h.app, `http://127.0.0.1:${h.apiPort}`)).toBe(WARM_READS.length);
  });

  test("a host the API does not accept: nothing answered, nothing thrown", async () => {
    const h = createFakeApp(port());
    expect(await warmReads(h.app, "http://evil.example:1")).toBe(0);
  });
});
