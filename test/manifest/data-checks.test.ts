/** `check` warns about `data` paths a service could not keep its state in (SPEC §17): missing, or not writable by its `user`. */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { findUser } from "../../src/lib/libc";
import { load, makeTree, removeTrees, serviceA } from "./helpers";

afterAll(removeTrees);

const asRoot = process.geteuid?.() === 0;
const postgres = asRoot ? findUser("postgres") : null;

describe("check: data", () => {
  test("a missing path is a warning at its entry, relative paths resolve from cwd; the config still loads", () => {
    const dir = makeTree();
    mkdirSync(join(dir, "kept"));
    const loaded = load(serviceA("data: [kept, gone]"), { dir });
    expect(loaded.lines).toEqual([
      `orchestrator.yaml:5:18 services.a.data[1]: warning: data "${join(dir, "gone")}" does not exist: create it, writable by the orchestrator's user (uid ${process.geteuid!()}), before the service starts (unless the service creates it itself)`,
    ]);
    expect(loaded.config!.services[0]!.data).toEqual([join(dir, "kept"), join(dir, "gone")]);
  });

  test("export's load (checkHost: false) says nothing: the fleet's data lives on another host", () => {
    expect(load(serviceA("data: [/nowhere/at/all]"), { checkHost: false }).lines).toEqual([]);
  });

  test("no data, no warning; data is absent from the config", () => {
    const loaded = load(serviceA());
    expect(loaded.lines).toEqual([]);
    expect(loaded.config!.services[0]!.data).toBeUndefined();
  });

  test.skipIf(!postgres)("a folder owned by another user is not writable by the service's user; chowned to it, it is", () => {
    const dir = makeTree();
    chmodSync(dir, 0o755);
    const data = join(dir, "pg");
    mkdirSync(data, { mode: 0o755 });
    chownSync(data, 0, 0);
    const yaml = serviceA("user: postgres", `data: [${data}]`);
    expect(load(yaml).lines).toEqual([
      `orchestrator.yaml:6:12 services.a.data[0]: warning: data "${data}" is not writable by postgres (uid ${postgres!.uid}): it is owned by uid 0, gid 0, mode 0755; chown it to postgres (uid ${postgres!.uid}) or make it group-writable`,
    ]);
    chownSync(data, postgres!.uid, postgres!.gid);
    expect(load(yaml).lines).toEqual([]);
    // the folder above it must let the user through
    chmodSync(dir, 0o700);
    expect(load(yaml).lines).toEqual([
      `orchestrator.yaml:6:12 services.a.data[0]: warning: data "${data}" is not writable by postgres (uid ${postgres!.uid}): it cannot pass through ${dir} (uid 0, gid 0, mode 0700)`,
    ]);
  });

  test("the schema wants a list of paths", () => {
    expect(load(serviceA("data: /var/lib/x")).lines[0]).toContain("services.a.data");
  });
});
