/**
 * SPEC §13: `user` and `group` resolve at load time into the service's `account` (through
 * this machine's real passwd and group databases: postgres is uid 101, primary group
 * postgres, also in ssl-cert), and what cannot work is a positioned error.
 * (A non-root orchestrator: test/e2e/run-as.test.ts runs `check` as postgres.)
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { findGroup, findUser } from "../../src/lib/libc";
import { load, removeTrees, serviceA } from "./helpers";

afterAll(removeTrees);

const postgres = findUser("postgres")!;
const sslCert = findGroup("ssl-cert")!;
const accountOf = (...extra: string[]) => {
  const loaded = load(serviceA(...extra));
  expect(loaded.lines).toEqual([]);
  return loaded.config!.services[0]!.account;
};

describe("account", () => {
  test("a user name: its uid, primary group, supplementary groups (initgroups) and home", () => {
    expect(accountOf("user: postgres")).toEqual({
      user: "postgres",
      uid: 101,
      group: "postgres",
      gid: postgres.gid,
      groups: [postgres.gid, sslCert.gid],
      home: "/var/lib/postgresql",
    });
  });

  test("a uid finds the same user", () => {
    expect(accountOf("user: 101")).toMatchObject({ user: "postgres", uid: 101, gid: postgres.gid });
  });

  test("`group` overrides the primary group, and the supplementary groups are initgroups' for it", () => {
    expect(accountOf("user: postgres", "group: ssl-cert")).toMatchObject({ uid: 101, group: "ssl-cert", gid: sslCert.gid, groups: [sslCert.gid] });
  });

  test("a uid and a gid without entries are taken as they are (containers)", () => {
    expect(accountOf("user: 4242", "group: 4343")).toEqual({ user: "4242", uid: 4242, group: "4343", gid: 4343, groups: [4343], home: "/" });
  });

  test("`group` alone keeps the orchestrator's user", () => {
    expect(accountOf("group: ssl-cert")).toMatchObject({ user: "root", uid: 0, gid: sslCert.gid });
  });

  test("no user and no group: no account", () => {
    expect(accountOf()).toBeUndefined();
  });
});

describe("positioned errors", () => {
  test("an unknown user, with a suggestion", () => {
    expect(load(serviceA("user: postgress")).lines).toEqual(['orchestrator.yaml:5:11 services.a.user: no such user "postgress" (did you mean "postgres"?)']);
  });

  test("an unknown group, with a suggestion", () => {
    expect(load(serviceA("user: postgres", "group: ssl-crt")).lines).toEqual([
      'orchestrator.yaml:6:12 services.a.group: no such group "ssl-crt" (did you mean "ssl-cert"?)',
    ]);
  });

  test("a uid without a passwd entry needs a group", () => {
    expect(load(serviceA("user: 4242")).lines).toEqual(["orchestrator.yaml:5:11 services.a.user: uid 4242 has no passwd entry, so no primary group: set `group`"]);
  });

  test("a disabled service is not looked at", () => {
    expect(load(serviceA("user: nobody-here", "disabled: true")).lines).toEqual([]);
  });

  // This machine's root lacks CAP_SYS_RESOURCE (a container); where it has it, a raise is fine.
  test("a limit above the orchestrator's hard limit without CAP_SYS_RESOURCE", () => {
    const hard = Number(/^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "latin1"))![1]);
    const caps = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync("/proc/self/status", "latin1"))![1]}`);
    const canRaise = ((caps >> 24n) & 1n) === 1n;
    expect(load(serviceA(`limits: { nofile: ${hard} }`)).lines).toEqual([]);
    expect(load(serviceA(`limits: { nofile: ${hard + 1} }`)).lines).toEqual(
      canRaise ? [] : [`orchestrator.yaml:5:23 services.a.limits.nofile: ${hard + 1} is above the orchestrator's own hard limit (${hard}); raising it needs CAP_SYS_RESOURCE, which the orchestrator does not have`],
    );
  });
});
