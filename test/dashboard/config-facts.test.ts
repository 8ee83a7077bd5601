import { describe, expect, test } from "bun:test";
import { describeRunConfig, formatSize } from "../../src/dashboard/lib/config-facts";
import { serviceConfig, summary } from "../helpers/fake-data";

const facts = (config: Parameters<typeof describeRunConfig>[0]) => Object.fromEntries(describeRunConfig(config).map((f) => [f.key, f.value]));

describe("the details panel's config facts", () => {
  test("data (SPEC §17): where the service keeps its state, every path, after the pid file", () => {
    const config = { ...serviceConfig(summary("db")), data: ["/var/lib/postgresql/15/main", "/srv/wal"] };
    expect(facts(config).data).toBe("/var/lib/postgresql/15/main · /srv/wal");
    expect(describeRunConfig(config).map((f) => f.key).slice(-2)).toEqual(["data", "logs"]);
  });

  test("replicas (SPEC §15): which instance, of how many, behind which proxy, replaced how", () => {
    const base = serviceConfig(summary("web@2"));
    const config = { ...base, replicas: 3, proxy: { port: 8080, host: "127.0.0.1" }, update: { maxSurge: 1, maxUnavailable: 0 }, replica: { group: "web", index: 2, basePort: 5000 } };
    expect(facts(config).replicas).toBe("instance 2 of 3 of web, behind the proxy on 127.0.0.1:8080, restarts start the new one first (surge 1)");
    expect(facts({ ...base, replicas: 2, update: { maxSurge: 0, maxUnavailable: 1 }, replica: { group: "web", index: 1 } }).replicas).toBe("instance 1 of 2 of web, restarts 1 down at a time");
  });

  test("a plain service shows only what always applies: how it stops, protected, its log files", () => {
    expect(facts(serviceConfig(summary("api", { phase: 1, phaseName: "core" })))).toEqual({
      shutdown: "SIGTERM, then SIGKILL after 10s",
      protected: "no",
      logs: "raw, rotated at 10 MB, 5 kept",
    });
  });

  test("every SPEC §13 key of a real server, in words: ids next to names, exact sizes, the stop command", () => {
    const config = {
      ...serviceConfig(summary("db")),
      user: "postgres",
      account: { user: "postgres", uid: 101, group: "postgres", gid: 104, groups: [104, 103], home: "/var/lib/postgresql" },
      umask: "0027",
      nice: 5,
      limits: { memoryBytes: 1024 ** 3, nofile: 65536, nproc: "unlimited" as const, core: 0 },
      shutdown: { signal: "SIGINT" as const, timeoutMs: 60_000, command: "pg_ctl -D /var/lib/postgresql/data stop -m fast" },
      pidFile: "/run/postgres.pid",
      logs: { maxBytes: 20_000_000, keep: 3, format: "json" as const },
    };
    expect(describeRunConfig(config).map((f) => [f.label, f.value])).toEqual([
      ["user", "postgres (uid 101)"],
      ["group", "postgres (gid 104), also 103"],
      ["umask", "0027"],
      ["nice", "5"],
      ["memory", "1 GiB"],
      ["rlimits", "nofile 65536 · nproc unlimited · core 0"],
      ["stop", "command, then SIGKILL after 1m 0s"],
      ["stop command", "pg_ctl -D /var/lib/postgresql/data stop -m fast"],
      ["protected", "yes: other services' healing never restarts it"],
      ["pid file", "/run/postgres.pid"],
      ["log files", "json, rotated at 20 MB, 3 kept"],
    ]);
  });

  test("without resolved ids (an older orchestrator) the user and group show as written", () => {
    const shown = facts({ ...serviceConfig(summary("cache")), user: "999", group: "redis" });
    expect(shown.user).toBe("999");
    expect(shown.group).toBe("redis");
  });

  test("sizes are exact in binary or decimal units, else bytes", () => {
    expect([512 * 1024 ** 2, 1_500_000_000, 64 * 1024, 1234, 0].map(formatSize)).toEqual(["512 MiB", "1500 MB", "64 KiB", "1234 B", "0 B"]);
  });
});
