/** Schema rules: each wrong input gives exactly the line `check` prints, position included. */
import { afterAll, describe, expect, test } from "bun:test";
import { load, serviceA, removeTrees } from "./helpers";

afterAll(removeTrees);

const only = (yaml: string): string[] => load(yaml).lines;

describe("wrong types", () => {
  test("a port given as a word", () => {
    expect(only(serviceA("port: eighty"))).toEqual([
      'orchestrator.yaml:5:11 services.a.port: expected an integer from 1 to 65535, got "eighty"',
    ]);
  });

  test("a port out of range and a fractional port", () => {
    expect(only(serviceA("port: 70000"))).toEqual(["orchestrator.yaml:5:11 services.a.port: expected an integer from 1 to 65535, got 70000"]);
    expect(only(serviceA("port: 80.5"))).toEqual(["orchestrator.yaml:5:11 services.a.port: expected an integer from 1 to 65535, got 80.5"]);
  });

  test("a port written as a quoted string is not coerced", () => {
    expect(only(serviceA('port: "8080"'))).toEqual(['orchestrator.yaml:5:11 services.a.port: expected an integer from 1 to 65535, got "8080"']);
  });

  test("booleans must be true or false, not yes or 1", () => {
    expect(only(serviceA("optional: yes", "disabled: 1"))).toEqual([
      'orchestrator.yaml:5:15 services.a.optional: expected true or false, got "yes"',
      "orchestrator.yaml:6:15 services.a.disabled: expected true or false, got 1",
    ]);
  });

  test("a duration in words", () => {
    expect(only(serviceA("startupTimeout: 5 seconds"))).toEqual([
      'orchestrator.yaml:5:21 services.a.startupTimeout: expected a duration (250ms, 5s, 2m or milliseconds), got "5 seconds"',
    ]);
  });

  test("a negative duration, and a bad entry inside a backoff list", () => {
    expect(only(serviceA("shutdown: { timeout: -5 }"))).toEqual([
      "orchestrator.yaml:5:26 services.a.shutdown.timeout: expected a duration (250ms, 5s, 2m or milliseconds), got -5",
    ]);
    expect(only(serviceA("restart: { backoff: [1s, soon, 5s] }"))).toEqual([
      'orchestrator.yaml:5:30 services.a.restart.backoff[1]: expected a duration (250ms, 5s, 2m or milliseconds), got "soon"',
    ]);
  });

  test("valid durations in every spelling load", () => {
    const { issues, config } = load(serviceA("startupTimeout: 250ms", "shutdown: { timeout: 2m }", "restart: { backoff: [1000, 1.5s, 1h] }"));
    expect(issues).toEqual([]);
    const a = config!.services[0];
    expect([a.startupTimeoutMs, a.shutdown.timeoutMs, a.restart.backoffMs]).toEqual([250, 120_000, [1000, 1500, 3_600_000]]);
  });

  test("a restart policy outside the enum", () => {
    expect(only(serviceA("restart: { policy: sometimes }"))).toEqual([
      'orchestrator.yaml:5:24 services.a.restart.policy: expected one of "always", "on-failure", "never", got "sometimes"',
    ]);
  });

  test("an unknown signal name", () => {
    expect(only(serviceA("shutdown: { signal: SIGFOO }"))).toEqual([
      'orchestrator.yaml:5:25 services.a.shutdown.signal: expected one of "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGKILL", "SIGUSR1", "SIGUSR2", got "SIGFOO"',
    ]);
  });

  test("a dependsOn map with a condition that does not exist", () => {
    const yaml = serviceA("dependsOn: { b: ready }") + "  b:\n    command: x\n";
    expect(only(yaml)).toEqual([
      'orchestrator.yaml:5:21 services.a.dependsOn.b: expected one of "healthy", "started", "completed", got "ready"',
    ]);
  });

  test("dependsOn given as a bare string", () => {
    expect(only(serviceA("dependsOn: b"))).toEqual(['orchestrator.yaml:5:16 services.a.dependsOn: expected a list or a mapping, got "b"']);
  });

  test("health: true is neither false nor a probe", () => {
    expect(only(serviceA("health: true"))).toEqual(["orchestrator.yaml:5:13 services.a.health: expected false or a mapping, got true"]);
  });

  test("health probe fields keep their own types", () => {
    expect(only(serviceA("health: { http: 5, tcp: abc }"))).toEqual([
      "orchestrator.yaml:5:21 services.a.health.http: expected a string, got 5",
      'orchestrator.yaml:5:29 services.a.health.tcp: expected an integer from 1 to 65535 or true, got "abc"',
    ]);
  });

  test("an env value that is a list", () => {
    expect(only(serviceA("env: { A: [1] }"))).toEqual([
      "orchestrator.yaml:5:15 services.a.env.A: expected one of a string, a number, true or false, got a list",
    ]);
  });

  test("a negative phase index", () => {
    expect(only(serviceA("phase: -1"))).toEqual(["orchestrator.yaml:5:12 services.a.phase: expected an integer >= 0, got -1"]);
  });

  test("an empty backoff list", () => {
    expect(only(serviceA("restart: { backoff: [] }"))).toEqual([
      "orchestrator.yaml:5:25 services.a.restart.backoff: expected at least 1 item(s), got an empty list",
    ]);
  });

  test("a service that is null", () => {
    expect(only("version: 1\nservices:\n  a: null\n")).toEqual(["orchestrator.yaml:3:6 services.a: expected a mapping, got nothing"]);
  });

  test("top-level sections with the wrong shape", () => {
    expect(only("version: 1\napi: 9000\nphases: []\nlaunch: { concurrency: 0 }\n")).toEqual([
      "orchestrator.yaml:2:6 api: expected a mapping, got 9000",
      "orchestrator.yaml:3:9 phases: expected at least 1 item(s), got an empty list",
      "orchestrator.yaml:4:24 launch.concurrency: expected an integer >= 1, got 0",
    ]);
  });

  test("numbers too large for a double, and NaN", () => {
    expect(only("version: 1\nlaunch: { concurrency: 1e400 }\n")).toEqual(["orchestrator.yaml:2:24 launch.concurrency: expected an integer >= 1, got Infinity"]);
    expect(only("version: 1\nlaunch: { concurrency: .nan }\n")).toEqual(["orchestrator.yaml:2:24 launch.concurrency: expected an integer >= 1, got NaN"]);
  });
});

describe("version", () => {
  test("missing version points at the document", () => {
    expect(only("name: fleet\n")).toEqual(['orchestrator.yaml:1:1 (root): missing required key "version"']);
  });

  test("a version other than 1 points at the value", () => {
    expect(only("version: 2\n")).toEqual(["orchestrator.yaml:1:10 version: expected 1, got 2"]);
  });
});

describe("unknown keys point at the key", () => {
  test.each([
    ["top level", "version: 1\nservics: {}\n", 'orchestrator.yaml:2:1 servics: unknown key "servics" (did you mean "services"?)'],
    ["api", "version: 1\napi: { prot: 9000 }\n", 'orchestrator.yaml:2:8 api.prot: unknown key "prot" (did you mean "port"?)'],
    ["launch", "version: 1\nlaunch: { concurency: 3 }\n", 'orchestrator.yaml:2:11 launch.concurency: unknown key "concurency" (did you mean "concurrency"?)'],
    ["defaults.health", "version: 1\ndefaults:\n  health: { intervall: 5s }\n", 'orchestrator.yaml:3:13 defaults.health.intervall: unknown key "intervall" (did you mean "interval"?)'],
    ["services.X", serviceA("comand: y"), 'orchestrator.yaml:5:5 services.a.comand: unknown key "comand" (did you mean "command"?)'],
    ["services.X.restart", serviceA("restart: { polcy: always }"), 'orchestrator.yaml:5:16 services.a.restart.polcy: unknown key "polcy" (did you mean "policy"?)'],
    ["a transposition", serviceA("dependson: []"), 'orchestrator.yaml:5:5 services.a.dependson: unknown key "dependson" (did you mean "dependsOn"?)'],
  ])("%s", (_where, yaml, line) => {
    expect(only(yaml)).toEqual([line]);
  });

  test("no suggestion when nothing is close", () => {
    expect(only("version: 1\nzzzzzzzz: 1\n")).toEqual(['orchestrator.yaml:2:1 zzzzzzzz: unknown key "zzzzzzzz"']);
    expect(only(serviceA("quorum: 3"))).toEqual(['orchestrator.yaml:5:5 services.a.quorum: unknown key "quorum"']);
  });

  test("names inherited from Object.prototype are unknown keys too", () => {
    expect(only("version: 1\ntoString: 5\n")).toEqual(['orchestrator.yaml:2:1 toString: unknown key "toString"']);
    expect(only(serviceA("constructor: 1"))).toEqual(['orchestrator.yaml:5:5 services.a.constructor: unknown key "constructor"']);
    expect(only("version: 1\n__proto__: { polluted: 1 }\n")).toEqual(['orchestrator.yaml:2:1 __proto__: unknown key "__proto__"']);
  });

  test("a YAML merge key merges its mapping in (no unknown-key report)", () => {
    expect(only(serviceA("<<: { port: 3 }"))).toEqual([]);
  });
});

describe("service names", () => {
  test("a name with a space and a bang", () => {
    expect(only("version: 1\nservices:\n  'bad name!':\n    command: x\n")).toEqual([
      'orchestrator.yaml:3:3 services["bad name!"]: invalid name "bad name!": use letters, digits, ".", "_" and "-", starting with a letter or digit',
    ]);
  });

  test("a name starting with a dash or underscore", () => {
    expect(only("version: 1\nservices:\n  ok: { command: x }\n  -x: { command: x }\n  _y: { command: x }\n")).toEqual([
      'orchestrator.yaml:4:3 services["-x"]: invalid name "-x": use letters, digits, ".", "_" and "-", starting with a letter or digit',
      'orchestrator.yaml:5:3 services._y: invalid name "_y": use letters, digits, ".", "_" and "-", starting with a letter or digit',
    ]);
  });

  test("a null key is an empty name, located at its own line", () => {
    expect(only("version: 1\nservices:\n  a: { command: x }\n  ~: { command: x }\n")).toEqual([
      'orchestrator.yaml:4:3 services[""]: invalid name "": use letters, digits, ".", "_" and "-", starting with a letter or digit',
    ]);
  });

  test("newlines and escape codes in names are printed escaped, one problem per line", () => {
    expect(only('version: 1\nservices:\n  "a\\nb\\u001b[31m": { command: x }\n')).toEqual([
      'orchestrator.yaml:3:3 services["a\\nb\\u001b[31m"]: invalid name "a\\nb\\u001b[31m": use letters, digits, ".", "_" and "-", starting with a letter or digit',
    ]);
  });

  test("dots, dashes, underscores and digits are fine", () => {
    const { issues, config } = load("version: 1\nservices:\n  api.v2-beta_1: { command: x }\n  9lives: { command: x }\n");
    expect(issues).toEqual([]);
    expect(config!.services.map((s) => s.name)).toEqual(["9lives", "api.v2-beta_1"]);
  });
});

describe("documents that are not a manifest", () => {
  test("a YAML syntax error gives the position of the error", () => {
    expect(only("version: 1\nservices:\n  a: [\n")).toEqual([
      "orchestrator.yaml:4:1 (syntax): Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });

  test("a bad indentation", () => {
    const [line] = only("version: 1\nservices:\n  a:\n    command: x\n   port: 3\n");
    expect(line).toStartWith("orchestrator.yaml:5:");
    expect(line).toContain("(syntax): ");
  });

  test("a duplicate key points at the second one", () => {
    expect(only("version: 1\nname: a\nname: b\n")).toEqual(["orchestrator.yaml:3:1 (syntax): Map keys must be unique"]);
    expect(only(serviceA("port: 1", "port: 2"))).toEqual(["orchestrator.yaml:6:5 (syntax): Map keys must be unique"]);
  });

  test("an empty document, and one with only a comment", () => {
    const expected = ["orchestrator.yaml:1:1 (root): expected a mapping with at least `version: 1`, got an empty document"];
    expect(only("")).toEqual(expected);
    expect(only("# nothing yet\n")).toEqual(expected);
  });

  test("a document that is a list", () => {
    expect(only("- a\n- b\n")).toEqual(["orchestrator.yaml:1:1 (root): expected a mapping with at least `version: 1`, got something else"]);
  });

  test("two documents in one file", () => {
    expect(only("version: 1\n---\nversion: 1\n")).toEqual([
      "orchestrator.yaml:2:1 (syntax): Source contains multiple documents; please use YAML.parseAllDocuments()",
    ]);
  });

  test("an alias bomb is refused with a message, not a crash", () => {
    const bomb = [
      "version: 1",
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "",
    ].join("\n");
    expect(only(bomb)).toEqual([
      "orchestrator.yaml:1:1 (root): cannot expand the document: Excessive alias count indicates a resource exhaustion attack",
    ]);
  });

  test("deep nesting is reported, not a crash", () => {
    expect(only(`version: 1\nx: ${"[".repeat(2000)}${"]".repeat(2000)}\n`)).toEqual(['orchestrator.yaml:2:1 x: unknown key "x"']);
    const tooDeep = load(`version: 1\nx: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`);
    expect(tooDeep.config).toBeUndefined();
    expect(tooDeep.lines.length).toBeGreaterThan(0);
    for (const line of tooDeep.lines) expect(line).toMatch(/^orchestrator\.yaml:2:\d+ \(syntax\): ./);
  });

  test("anchors and aliases within limits work", () => {
    const yaml = "version: 1\nservices:\n  a: { command: x, restart: &r { policy: always } }\n  b: { command: x, restart: *r }\n";
    const { issues, config } = load(yaml);
    expect(issues).toEqual([]);
    expect(config!.services.map((s) => s.restart.policy)).toEqual(["always", "always"]);
  });
});

describe("problems are collected, not stopped at", () => {
  test("several schema problems in one file come out in file order", () => {
    expect(only("version: 1\nfoo: 1\napi: { port: x }\nservices:\n  a:\n    command: x\n    port: 0\n    optional: maybe\n")).toEqual([
      'orchestrator.yaml:2:1 foo: unknown key "foo"',
      'orchestrator.yaml:3:14 api.port: expected an integer from 1 to 65535, got "x"',
      "orchestrator.yaml:7:11 services.a.port: expected an integer from 1 to 65535, got 0",
      'orchestrator.yaml:8:15 services.a.optional: expected true or false, got "maybe"',
    ]);
  });

  test("errors withhold the config; the valid minimal manifest gives one", () => {
    expect(load(serviceA("port: eighty")).config).toBeUndefined();
    const { issues, config } = load("version: 1\n");
    expect(issues).toEqual([]);
    expect(config!.services).toEqual([]);
  });
});

describe("YAML anchors and merge keys", () => {
  test("x- keys hold anchors and <<: merges them into a service", async () => {
    const { loadText } = await import("../../src/manifest/load");
    const text = 'version: 1\nx-common: &common\n  restart: { policy: always }\nservices:\n  a:\n    <<: *common\n    command: [sh, -c, "sleep 1"]\n    x-note: ignored\n';
    const result = loadText("/tmp/anchors.yaml", text, { env: {}, checkCommands: false });
    expect(result.issues).toEqual([]);
    expect(result.config!.services.find((s) => s.name === "a")!.restart.policy).toBe("always");
  });

  test("x- keys are not allowed where the schema does not say so", async () => {
    const { loadText } = await import("../../src/manifest/load");
    const result = loadText("/tmp/anchors.yaml", "version: 1\napi:\n  x-foo: 1\n", { env: {}, checkCommands: false });
    expect(result.issues.map((i) => i.message)).toEqual(['unknown key "x-foo"']);
  });
});
