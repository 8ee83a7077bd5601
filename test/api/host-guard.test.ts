import { describe, expect, test } from "bun:test";
import { createHostPolicy, parseHostHeader } from "../../src/api/host-guard";

const request = (host: string | null, url = "http://127.0.0.1:9000/orchestrator/status") => new Request(url, { headers: host === null ? {} : { host } });

describe("Host policy", () => {
  test("parses name[:port] and [v6][:port]; anything else is malformed", () => {
    expect(parseHostHeader("Example.COM:8080")).toBe("example.com");
    expect(parseHostHeader("[::1]:80")).toBe("::1");
    expect(parseHostHeader("localhost.")).toBe("localhost");
    for (const bad of ["", "a b", "a,b", "x:y", "host:123456", "[::1", "ex\u00e4mple.com", "a/b"]) expect({ bad, got: parseHostHeader(bad) }).toEqual({ bad, got: null });
  });

  test("loopback (any port), api.host and api.allowedHosts pass; others get a 421 that names the host and the choices", () => {
    const policy = createHostPolicy({ host: "orch.lan", allowedHosts: ["ops.example.com", ".internal"] });
    for (const host of ["localhost:1", "a.localhost", "127.0.0.1", "127.255.0.9:9", "[::1]", "orch.lan:9000", "OPS.example.com", "internal", "db.internal:1"]) {
      expect({ host, refused: policy.check(request(host)) }).toEqual({ host, refused: null });
    }
    for (const host of ["evil.example", "orch.lan.evil.example", "notinternal", "ops.example.com.evil", "0.0.0.0", "[::2]"]) {
      const refusal = policy.check(request(host));
      expect({ host, status: refusal?.status, code: refusal?.code }).toEqual({ host, status: 421, code: "MISDIRECTED" });
      expect(refusal!.message).toContain(JSON.stringify(host));
      expect(refusal!.message).toContain('api.host (orch.lan) or a name in api.allowedHosts ("ops.example.com", ".internal")');
    }
  });

  test("remembering accepted Host values opens no door: after 500 of them (past the 64 it keeps) a foreign Host is still refused, every time", () => {
    const policy = createHostPolicy({ host: "127.0.0.1" });
    for (let i = 0; i < 500; i++) expect(policy.check(request(`127.0.0.1:${1000 + i}`))).toBeNull();
    for (let i = 0; i < 3; i++) expect(policy.check(request("evil.example"))?.status).toBe(421);
    expect(policy.check(request("127.0.0.1:1000"))).toBeNull();
    expect(policy.check(request("evil.example:1000"))?.status).toBe(421);
  });

  test("a wildcard api.host names no host; an in-process request is judged by its URL; a bare path with no Host is refused", () => {
    const policy = createHostPolicy({ host: "0.0.0.0" });
    expect(policy.check(request("0.0.0.0:9000"))?.status).toBe(421);
    expect(policy.check(request(null))).toBeNull();
    expect(policy.check(request(null, "http://evil.example/x"))?.status).toBe(421);
    expect(policy.check({ url: "/x", headers: new Headers() } as Request)?.message).toStartWith("expected a Host header naming a loopback name");
  });
});
