/** Semantic rules over the merged config: dependencies, cycles, phases, ports, paths, commands. */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfigSync } from "../../src/manifest/load";
import { lines, load, makeTree, writeFile, removeTrees } from "./helpers";

afterAll(removeTrees);

const services = (body: string): string => `version: 1\nservices:\n${body}`;
const only = (yaml: string): string[] => load(yaml).lines;

describe("dependencies", () => {
  test("an unknown dependency in list form points at the entry", () => {
    expect(only(services("  a:\n    command: x\n    dependsOn: [db]\n"))).toEqual([
      'orchestrator.yaml:5:17 services.a.dependsOn[0]: unknown dependency "db"',
    ]);
  });

  test("a misspelt dependency suggests the service, in list form", () => {
    expect(only(services("  a:\n    command: x\n    dependsOn: [db, cahce]\n  db: { command: x }\n  cache: { command: x }\n"))).toEqual([
      'orchestrator.yaml:5:21 services.a.dependsOn[1]: unknown dependency "cahce" (did you mean "cache"?)',
    ]);
  });

  test("the service itself is never suggested", () => {
    expect(only(services("  api:\n    command: x\n    dependsOn: [apj]\n"))).toEqual([
      'orchestrator.yaml:5:17 services.api.dependsOn[0]: unknown dependency "apj"',
    ]);
  });

  test("a misspelt dependency in map form points at the key's value", () => {
    expect(only(services("  a:\n    command: x\n    dependsOn:\n      dbb: started\n  db:\n    command: x\n"))).toEqual([
      'orchestrator.yaml:6:12 services.a.dependsOn.dbb: unknown dependency "dbb" (did you mean "db"?)',
    ]);
  });

  test("a service that depends on itself is told so once", () => {
    expect(only(services("  a:\n    command: x\n    dependsOn: [a]\n"))).toEqual([
      'orchestrator.yaml:5:17 services.a.dependsOn[0]: "a" depends on itself',
    ]);
  });

  test("depending on a disabled service", () => {
    expect(only(services("  a:\n    command: x\n    dependsOn: [b]\n  b:\n    command: x\n    disabled: true\n"))).toEqual([
      'orchestrator.yaml:5:17 services.a.dependsOn[0]: depends on "b", which is disabled, so "a" could never start',
    ]);
  });

  test("a disabled service may depend on a disabled one", () => {
    const { issues } = load(services("  a: { command: x, disabled: true, dependsOn: [b] }\n  b: { command: x, disabled: true }\n"));
    expect(issues).toEqual([]);
  });
});

describe("cycles", () => {
  test("a three-service cycle is reported once, as the whole path, at the first service's dependsOn", () => {
    const yaml = services("  a:\n    command: x\n    dependsOn: [b]\n  b:\n    command: x\n    dependsOn: [c]\n  c:\n    command: x\n    dependsOn: [a]\n");
    expect(only(yaml)).toEqual(["orchestrator.yaml:5:16 services.a.dependsOn: dependency cycle: a -> b -> c -> a"]);
  });

  test("a cycle through map-form dependencies, whatever the order services are written in", () => {
    const yaml = services("  web:\n    command: x\n    dependsOn: { api: started }\n  api:\n    command: x\n    dependsOn:\n      web: healthy\n");
    expect(only(yaml)).toEqual(["orchestrator.yaml:9:7 services.api.dependsOn: dependency cycle: api -> web -> api"]);
  });

  test("two separate cycles are two issues", () => {
    const yaml = services("  a: { command: x, dependsOn: [b] }\n  b: { command: x, dependsOn: [a] }\n  c: { command: x, dependsOn: [d] }\n  d: { command: x, dependsOn: [c] }\n");
    expect(only(yaml)).toEqual([
      "orchestrator.yaml:3:31 services.a.dependsOn: dependency cycle: a -> b -> a",
      "orchestrator.yaml:5:31 services.c.dependsOn: dependency cycle: c -> d -> c",
    ]);
  });
});

describe("phases", () => {
  test("depending on a service in a later phase", () => {
    const yaml = services("  a:\n    command: x\n    phase: critical\n    dependsOn: [b]\n  b:\n    command: x\n    phase: core\n");
    expect(only(yaml)).toEqual([
      'orchestrator.yaml:6:16 services.a.dependsOn: "a" (phase critical) depends on "b" in a later phase (core); move one of them',
    ]);
  });

  test("a service without a phase is in phase 1, so a critical service cannot depend on it", () => {
    const yaml = services("  a:\n    command: x\n    phase: 0\n    dependsOn: [b]\n  b:\n    command: x\n");
    expect(only(yaml)).toEqual([
      'orchestrator.yaml:6:16 services.a.dependsOn: "a" (phase critical) depends on "b" in a later phase (core); move one of them',
    ]);
  });

  test("an unknown phase name suggests the nearest", () => {
    expect(only(services("  a:\n    command: x\n    phase: critcal\n"))).toEqual([
      'orchestrator.yaml:5:12 services.a.phase: unknown phase "critcal": expected one of "critical", "core", "intelligence", "b2b", "user-facing", "advanced", "optional" or an index below 7 (did you mean "critical"?)',
    ]);
  });

  test("a phase index past the last phase, with custom phases", () => {
    expect(only("version: 1\nphases: [first, second]\nservices:\n  a:\n    command: x\n    phase: 2\n")).toEqual([
      'orchestrator.yaml:6:12 services.a.phase: unknown phase 2: expected one of "first", "second" or an index below 2',
    ]);
  });

  test("phases by name and by index resolve to the same index", () => {
    const { issues, config } = load("version: 1\nphases: [first, second, third]\nservices:\n  a: { command: x, phase: third }\n  b: { command: x, phase: 2 }\n");
    expect(issues).toEqual([]);
    expect(config!.services.map((s) => [s.name, s.phase, s.phaseName])).toEqual([
      ["a", 2, "third"],
      ["b", 2, "third"],
    ]);
  });
});

describe("ports", () => {
  test("two services on one port, and one on the API's port", () => {
    const yaml = "version: 1\napi: { port: 4000 }\nservices:\n  a: { command: x, port: 4000 }\n  b: { command: x, port: 4001 }\n  c: { command: x, port: 4001 }\n";
    expect(only(yaml)).toEqual([
      "orchestrator.yaml:4:26 services.a.port: port 4000 is already used by the orchestrator API (api.port)",
      'orchestrator.yaml:6:26 services.c.port: port 4001 is already used by "b"',
    ]);
  });

  test("the default API port 9000 counts too", () => {
    expect(only(services("  a: { command: x, port: 9000 }\n"))).toEqual([
      "orchestrator.yaml:3:26 services.a.port: port 9000 is already used by the orchestrator API (api.port)",
    ]);
  });

  test("a disabled service's port does not clash", () => {
    expect(load(services("  a: { command: x, port: 4001 }\n  b: { command: x, port: 4001, disabled: true }\n")).issues).toEqual([]);
  });
});

describe("paths", () => {
  test("a cwd that does not exist", () => {
    const { lines: out, dir } = load(services("  a:\n    command: x\n    cwd: nope\n"));
    expect(out).toEqual([`orchestrator.yaml:5:10 services.a.cwd: cwd "${join(dir, "nope")}" does not exist or is not a directory`]);
  });

  test("a cwd that is a file", () => {
    const dir = makeTree({ "file.txt": "" });
    expect(load(services("  a:\n    command: x\n    cwd: file.txt\n"), { dir }).lines).toEqual([
      `orchestrator.yaml:5:10 services.a.cwd: cwd "${join(dir, "file.txt")}" does not exist or is not a directory`,
    ]);
  });

  test("an envFile that does not exist is looked up relative to cwd", () => {
    const dir = makeTree({ "svc/.env": "A=1\n" });
    const yaml = services("  a:\n    command: x\n    cwd: svc\n    envFile: .env.local\n  b:\n    command: x\n    cwd: svc\n    envFile: .env\n");
    expect(load(yaml, { dir }).lines).toEqual([`orchestrator.yaml:6:14 services.a.envFile: envFile "${join(dir, "svc/.env.local")}" does not exist`]);
  });
});

describe("commands on PATH", () => {
  function fleet(): string {
    const dir = makeTree();
    writeFile(join(dir, "svc/node_modules/.bin/local-tool"), "#!/bin/sh\n", true);
    writeFile(join(dir, "svc/bin/run"), "#!/bin/sh\n", true);
    writeFile(join(dir, "svc/bin/not-executable"), "#!/bin/sh\n");
    return dir;
  }
  const check = (body: string, dir = fleet()) => load(services(body), { dir, checkCommands: true, env: { PATH: "/usr/bin:/bin" } }).lines;

  test("argv form: the program is argv[0]", () => {
    expect(check("  a: { command: [no-such-prog-xyz, --flag] }\n  b: { command: [sh, -c, 'exit 0'] }\n")).toEqual([
      'orchestrator.yaml:3:17 services.a.command: command "no-such-prog-xyz" not found on PATH',
    ]);
  });

  test("shell form: the first word", () => {
    expect(check('  a: { command: "no-such-prog-xyz --flag" }\n  b: { command: "sh -c true" }\n')).toEqual([
      'orchestrator.yaml:3:17 services.a.command: command "no-such-prog-xyz" not found on PATH',
    ]);
  });

  test("shell form skips VAR=value assignments and exec", () => {
    expect(check('  a: { command: "FOO=1 BAR=2 exec no-such-prog-xyz" }\n  b: { command: "FOO=1 exec sh -c true" }\n')).toEqual([
      'orchestrator.yaml:3:17 services.a.command: command "no-such-prog-xyz" not found on PATH',
    ]);
  });

  test("shell form: the first word ends at the shell's operators (`id; sleep 3` runs id)", () => {
    expect(check('  a: { command: "id; sleep 3" }\n  b: { command: "true&& sleep 1" }\n  c: { command: "no-such-prog-xyz>out" }\n')).toEqual([
      'orchestrator.yaml:5:17 services.c.command: command "no-such-prog-xyz" not found on PATH',
    ]);
  });

  test("a relative ./bin/x path is resolved against cwd and must be executable", () => {
    const body = "  a: { command: ./bin/run, cwd: svc }\n  b: { command: ./bin/missing, cwd: svc }\n  c: { command: [./bin/not-executable], cwd: svc }\n";
    expect(check(body)).toEqual([
      'orchestrator.yaml:4:17 services.b.command: command "./bin/missing" not found or not executable',
      'orchestrator.yaml:5:17 services.c.command: command "./bin/not-executable" not found or not executable',
    ]);
  });

  test("a program in cwd/node_modules/.bin counts as found, in either form", () => {
    expect(check("  a: { command: [local-tool], cwd: svc }\n  b: { command: 'local-tool serve', cwd: svc }\n")).toEqual([]);
  });

  test("the same program outside that cwd is not found", () => {
    expect(check("  a: { command: [local-tool] }\n")).toEqual(['orchestrator.yaml:3:17 services.a.command: command "local-tool" not found on PATH']);
  });

  test("a disabled service's command is not looked up", () => {
    expect(check("  a: { command: [no-such-prog-xyz], disabled: true }\n")).toEqual([]);
  });

  test("checkCommands: false skips the lookup", () => {
    expect(load(services("  a: { command: [no-such-prog-xyz] }\n"), { checkCommands: false }).issues).toEqual([]);
  });
});

describe("commands", () => {
  test("a service with no command points at its entry", () => {
    expect(only(services("  a:\n    cwd: .\n"))).toEqual([
      'orchestrator.yaml:4:5 services.a: service "a" has no command: give `command`, or a scripts.start in its package.json',
    ]);
  });
});

describe("collecting", () => {
  test("five different problems in one manifest are five issues", () => {
    const yaml = "version: 1\nfoo: 1\napi: { port: x }\nservices:\n  a:\n    command: x\n    dependsOn: [zz]\n    cwd: nope\n    phase: nope\n";
    const { lines: out, dir } = load(yaml);
    expect(out).toEqual([
      'orchestrator.yaml:2:1 foo: unknown key "foo"',
      'orchestrator.yaml:3:14 api.port: expected an integer from 1 to 65535, got "x"',
      'orchestrator.yaml:7:17 services.a.dependsOn[0]: unknown dependency "zz"',
      `orchestrator.yaml:8:10 services.a.cwd: cwd "${join(dir, "nope")}" does not exist or is not a directory`,
      'orchestrator.yaml:9:12 services.a.phase: unknown phase "nope": expected one of "critical", "core", "intelligence", "b2b", "user-facing", "advanced", "optional" or an index below 7',
    ]);
  });

  test("warnings are reported but do not block", () => {
    const { lines: out, config, issues } = load("version: 1\nname: fleet${SUFFIX}\n", { env: {} });
    expect(out).toEqual([
      "orchestrator.yaml:2:7 name: warning: ${SUFFIX} is not set; using an empty string (write ${SUFFIX:-default} to choose one)",
    ]);
    expect(issues[0].severity).toBe("warning");
    expect(config?.name).toBe("fleet");
  });

  test("a manifest file that does not exist", () => {
    const dir = makeTree();
    const { issues, config } = loadConfigSync(join(dir, "orchestrator.yaml"), { env: {} });
    expect(config).toBeUndefined();
    expect(lines(issues, dir)).toEqual(["orchestrator.yaml:1:1 (file): cannot read manifest: no such file"]);
  });

  test("a manifest path that is a directory", () => {
    const dir = makeTree({ "orchestrator.yaml/keep": "" });
    expect(lines(loadConfigSync(join(dir, "orchestrator.yaml"), { env: {} }).issues, dir)).toEqual([
      "orchestrator.yaml:1:1 (file): cannot read manifest: is a directory",
    ]);
  });
});
