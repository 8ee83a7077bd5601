/** Discovery over real package.json trees on disk, and how the manifest merges over it. */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Config, PackageManager, ServiceConfig } from "../../src/contract/config";
import { load, makeTree, packageJson, writeFile, removeTrees } from "./helpers";

afterAll(removeTrees);

const START = { start: "node index.js" };

/** Loads `manifest` in a tree of `files`; returns the loaded result and a lookup by service name. */
function discover(files: Record<string, string>, manifest = "version: 1\n", checkCommands = false) {
  const dir = makeTree(files);
  const loaded = load(manifest, { dir, checkCommands });
  const service = (name: string): ServiceConfig => {
    const found = loaded.config?.services.find((s) => s.name === name);
    if (!found) throw new Error(`no service "${name}" in ${JSON.stringify(loaded.lines)}`);
    return found;
  };
  return { ...loaded, service, names: () => (loaded.config as Config).services.map((s) => s.name) };
}

describe("what a package.json becomes", () => {
  test("the name loses its scope; the folder name is used when there is none", () => {
    const { names, issues } = discover({
      "services/auth/package.json": packageJson({ name: "@azora/auth", scripts: START }),
      "services/billing/package.json": packageJson({ scripts: START }),
      "services/plain/package.json": packageJson({ name: "ledger", scripts: START }),
    });
    expect(issues).toEqual([]);
    expect(names()).toEqual(["auth", "billing", "ledger"]);
  });

  test("scripts.start becomes the command, run in the package's folder", () => {
    const { service, dir } = discover({ "services/auth/package.json": packageJson({ name: "auth", scripts: { start: "node server.js --port 1" } }) });
    const auth = service("auth");
    expect(auth.command).toBe("node server.js --port 1");
    expect(auth.cwd).toBe(join(dir, "services/auth"));
    expect(auth.source).toEqual({ manifest: false, packageJson: join(dir, "services/auth/package.json"), packageManager: "bun", script: "node server.js --port 1" });
  });

  test("a start script's program installed in the package's node_modules/.bin is found", () => {
    const dir = makeTree({ "services/web/package.json": packageJson({ name: "web", scripts: { start: "local-server --watch" } }) });
    writeFile(join(dir, "services/web/node_modules/.bin/local-server"), "#!/bin/sh\n", true);
    const { issues, config } = load("version: 1\n", { dir, checkCommands: true });
    expect(issues).toEqual([]);
    expect(config!.services[0].env).toEqual({});
  });

  test("a start script whose program is nowhere is reported at scripts.start in the package.json", () => {
    const { lines } = discover({ "services/web/package.json": packageJson({ name: "web", scripts: { start: "no-such-server-xyz" } }) }, "version: 1\n", true);
    expect(lines).toEqual(['services/web/package.json:4:14 scripts.start: command "no-such-server-xyz" not found on PATH']);
  });

  test("a package without scripts.start and no manifest command has no command", () => {
    expect(discover({ "services/lib/package.json": packageJson({ name: "lib" }) }).lines).toEqual([
      'services/lib/package.json:2:11 name: service "lib" has no command: give `command`, or a scripts.start in its package.json',
    ]);
  });

  test("a folder without package.json, a loose file and an empty root are not services", () => {
    const { issues, config } = discover({ "services/docs/README.md": "# docs\n", "services/notes.txt": "", "other/x/package.json": "{}" });
    expect(issues).toEqual([]);
    expect(config!.services).toEqual([]);
  });
});

describe("ports", () => {
  const pkg = (fields: Record<string, unknown>) => ({ "services/svc/package.json": packageJson({ name: "svc", ...fields }) });

  test("orchestrator.port wins over config.port and the start script", () => {
    const { service } = discover(pkg({ scripts: { start: "PORT=4003 node x" }, config: { port: 4002 }, orchestrator: { port: 4001 } }));
    expect(service("svc").port).toBe(4001);
  });

  test("config.port wins over the start script; a numeric string counts", () => {
    expect(discover(pkg({ scripts: { start: "PORT=4003 node x" }, config: { port: 4002 } })).service("svc").port).toBe(4002);
    expect(discover(pkg({ scripts: START, config: { port: "4004" } })).service("svc").port).toBe(4004);
  });

  test("PORT=NNNN and PORT=${PORT:-NNNN} in the start script", () => {
    expect(discover(pkg({ scripts: { start: "PORT=4003 node x" } })).service("svc").port).toBe(4003);
    expect(discover(pkg({ scripts: { start: "PORT=${PORT:-4005} node x" } })).service("svc").port).toBe(4005);
    expect(discover(pkg({ scripts: { start: "cd app && PORT=4006 exec node x" } })).service("svc").port).toBe(4006);
  });

  test("no port anywhere: no port and no http probe", () => {
    const svc = discover(pkg({ scripts: { start: "node x --port-file=EXPORT=1" } })).service("svc");
    expect(svc.port).toBeUndefined();
    expect(svc.health.check).toBeNull();
  });

  test("the discovered port is exported as PORT and probed over http", () => {
    const svc = discover(pkg({ scripts: { start: "PORT=4003 node x" } })).service("svc");
    expect(svc.env.PORT).toBe("4003");
    expect(svc.health.check).toEqual({ kind: "http", endpoints: ["/health", "/api/health", "/status", "/ping"], port: 4003, host: "127.0.0.1" });
  });

  test("two discovered services on one port: the clash points at where the second port came from", () => {
    const { lines } = discover({
      "services/a/package.json": packageJson({ name: "a", scripts: START, config: { port: 4010 } }),
      "services/b/package.json": packageJson({ name: "b", scripts: { start: "PORT=4010 node x" } }),
    });
    expect(lines).toEqual(['services/b/package.json:4:14 scripts.start: port 4010 is already used by "a"']);
  });
});

describe("dependencies", () => {
  test("package.json dependencies naming another discovered service become edges; others are ignored", () => {
    const { service } = discover({
      "services/vault/package.json": packageJson({ name: "@azora/vault", scripts: START }),
      "services/auth/package.json": packageJson({ name: "@azora/auth", scripts: START, dependencies: { "@azora/vault": "file:../vault", express: "^4", "left-pad": "1" } }),
    });
    expect(service("auth").dependsOn).toEqual([{ name: "vault", condition: "healthy" }]);
    expect(service("vault").dependsOn).toEqual([]);
  });

  test("the orchestrator field's condition wins over the package dependency's default", () => {
    const { service } = discover({
      "services/vault/package.json": packageJson({ name: "vault", scripts: START }),
      "services/auth/package.json": packageJson({ name: "auth", scripts: START, dependencies: { vault: "*" }, orchestrator: { dependsOn: { vault: "started" } } }),
    });
    expect(service("auth").dependsOn).toEqual([{ name: "vault", condition: "started" }]);
  });

  test("an unknown dependency in the orchestrator field is reported in the package.json", () => {
    const { lines } = discover({
      "services/auth/package.json": packageJson({ name: "auth", scripts: START, orchestrator: { dependsOn: ["vualt"] } }),
      "services/vault/package.json": packageJson({ name: "vault", scripts: START }),
    });
    expect(lines).toEqual(['services/auth/package.json:8:7 orchestrator.dependsOn[0]: unknown dependency "vualt" (did you mean "vault"?)']);
  });

  test("a cycle through package.json dependencies", () => {
    const { lines } = discover({
      "services/a/package.json": packageJson({ name: "a", scripts: START, dependencies: { b: "*" } }),
      "services/b/package.json": packageJson({ name: "b", scripts: START, dependencies: { a: "*" } }),
    });
    expect(lines).toEqual(["services/a/package.json:6:19 dependencies: dependency cycle: a -> b -> a"]);
  });
});

describe("the orchestrator field", () => {
  test("phase by name and by index, dependsOn, health and optional", () => {
    const { service, issues } = discover({
      "services/db/package.json": packageJson({ name: "db", scripts: START, orchestrator: { phase: "critical", health: { tcp: 5432 } } }),
      "services/api/package.json": packageJson({ name: "api", scripts: START, orchestrator: { phase: 2, dependsOn: ["db"], health: { http: "/healthz" }, port: 4000 } }),
      "services/mail/package.json": packageJson({ name: "mail", scripts: START, orchestrator: { optional: true, health: false } }),
    });
    expect(issues).toEqual([]);
    expect([service("db").phase, service("db").phaseName, service("db").critical]).toEqual([0, "critical", true]);
    expect(service("db").health.check).toEqual({ kind: "tcp", port: 5432, host: "127.0.0.1" });
    expect([service("api").phase, service("api").phaseName]).toEqual([2, "intelligence"]);
    expect(service("api").dependsOn).toEqual([{ name: "db", condition: "healthy" }]);
    expect(service("api").health.check).toEqual({ kind: "http", path: "/healthz", endpoints: ["/healthz"], port: 4000, host: "127.0.0.1" });
    expect(service("mail").optional).toBe(true);
    expect(service("mail").health.check).toBeNull();
  });

  test("a bad value and an unknown key are reported at their position in the package.json", () => {
    const { lines } = discover({
      "services/pay/package.json": packageJson({ name: "pay", scripts: START, orchestrator: { port: "eighty", phse: 1, optional: "no" } }),
    });
    expect(lines).toEqual([
      'services/pay/package.json:7:13 orchestrator.port: expected an integer from 1 to 65535, got "eighty"',
      'services/pay/package.json:8:5 orchestrator.phse: unknown key "phse" (did you mean "phase"?)',
      'services/pay/package.json:9:17 orchestrator.optional: expected true or false, got "no"',
    ]);
  });

  test("an orchestrator field that is not an object", () => {
    expect(discover({ "services/pay/package.json": packageJson({ name: "pay", scripts: START, orchestrator: [1] }) }).lines).toEqual([
      "services/pay/package.json:6:19 orchestrator: expected a mapping, got a list",
    ]);
  });

  test("an unknown phase name in the field suggests one", () => {
    expect(discover({ "services/pay/package.json": packageJson({ name: "pay", scripts: START, orchestrator: { phase: "cor" } }) }).lines).toEqual([
      'services/pay/package.json:7:14 orchestrator.phase: unknown phase "cor": expected one of "critical", "core", "intelligence", "b2b", "user-facing", "advanced", "optional" or an index below 7 (did you mean "core"?)',
    ]);
  });
});

describe("default phases", () => {
  test("a service without a phase goes in phase 1, or its latest dependency's phase when that is later", () => {
    const { service, issues } = discover({
      "services/late/package.json": packageJson({ name: "late", scripts: START, orchestrator: { phase: "b2b" } }),
      "services/early/package.json": packageJson({ name: "early", scripts: START, orchestrator: { phase: "critical" } }),
      "services/free/package.json": packageJson({ name: "free", scripts: START }),
      "services/follows/package.json": packageJson({ name: "follows", scripts: START, dependencies: { late: "*", early: "*" } }),
      "services/chain/package.json": packageJson({ name: "chain", scripts: START, dependencies: { follows: "*" } }),
      "services/leans/package.json": packageJson({ name: "leans", scripts: START, dependencies: { early: "*" } }),
    });
    expect(issues).toEqual([]);
    expect(["free", "follows", "chain", "leans"].map((n) => [n, service(n).phaseName])).toEqual([
      ["free", "core"],
      ["follows", "b2b"],
      ["chain", "b2b"],
      ["leans", "core"],
    ]);
  });

  test("with a single phase everything defaults to it", () => {
    const { service } = discover({ "services/x/package.json": packageJson({ name: "x", scripts: START }) }, "version: 1\nphases: [all]\n");
    expect(service("x").phase).toBe(0);
  });
});

describe("which folders are looked at", () => {
  test("ignore globs match folder names and package names; node_modules and dot folders are skipped", () => {
    const { names, issues } = discover(
      {
        "services/keep/package.json": packageJson({ name: "keep", scripts: START }),
        "services/skip-me/package.json": packageJson({ name: "skip-me", scripts: START }),
        "services/tmp1/package.json": packageJson({ name: "renamed", scripts: START }),
        "services/folder/package.json": packageJson({ name: "@x/legacy-api", scripts: START }),
        "services/node_modules/dep/package.json": packageJson({ name: "dep", scripts: START }),
        "services/node_modules/package.json": packageJson({ name: "nm", scripts: START }),
        "services/.cache/package.json": packageJson({ name: "cache", scripts: START }),
      },
      "version: 1\ndiscovery: { ignore: ['skip-*', 'tmp?', legacy-*] }\n",
    );
    expect(issues).toEqual([]);
    expect(names()).toEqual(["keep"]);
  });

  test("several roots, and a root that does not exist", () => {
    const files = { "apps/web/package.json": packageJson({ name: "web", scripts: START }), "workers/mail/package.json": packageJson({ name: "mail", scripts: START }) };
    expect(discover(files, "version: 1\ndiscovery: { roots: [apps, workers] }\n").names()).toEqual(["mail", "web"]);
    expect(discover(files, "version: 1\ndiscovery: { roots: [apps, workers, nope] }\n").lines).toEqual([
      'orchestrator.yaml:2:37 discovery.roots[2]: discovery root "nope" does not exist',
    ]);
  });

  test("the default root is services/ next to the manifest", () => {
    expect(discover({ "services/web/package.json": packageJson({ name: "web", scripts: START }) }).names()).toEqual(["web"]);
  });
});

describe("broken package.json files", () => {
  test("a trailing comma: the position of the offending character", () => {
    const { lines } = discover({ "services/bad/package.json": '{\n  "name": "bad",\n  "scripts": { "start": "x", }\n}\n' });
    expect(lines).toEqual(['services/bad/package.json:3:30 (syntax): invalid JSON: expected a string in double quotes, found "}"']);
  });

  test("a missing comma and a comment", () => {
    expect(discover({ "services/bad/package.json": '{\n  "name": "bad"\n  "private": true\n}\n' }).lines).toEqual([
      'services/bad/package.json:3:3 (syntax): invalid JSON: expected "," or "}", found "\\""',
    ]);
    expect(discover({ "services/bad/package.json": '{\n  // the name\n  "name": "bad"\n}\n' }).lines).toEqual([
      'services/bad/package.json:2:3 (syntax): invalid JSON: expected a string in double quotes, found "/"',
    ]);
  });

  test("a truncated file and an empty file", () => {
    expect(discover({ "services/bad/package.json": '{\n  "name": "ba' }).lines).toEqual([
      "services/bad/package.json:2:14 (syntax): invalid JSON: expected a closing '\"', found the end of the file",
    ]);
    expect(discover({ "services/bad/package.json": "" }).lines).toEqual([
      "services/bad/package.json:1:1 (syntax): invalid JSON: expected a value, found the end of the file",
    ]);
  });

  test("a package.json that cannot be read (a directory)", () => {
    expect(discover({ "services/odd/package.json/keep": "" }).lines).toEqual(["services/odd/package.json:1:1 (file): cannot read package.json: EISDIR"]);
  });

  test("a package.json that is a list", () => {
    expect(discover({ "services/bad/package.json": "[1, 2]\n" }).lines).toEqual(["services/bad/package.json:1:1 (root): expected a JSON object"]);
  });

  test("a broken package.json does not hide the other services' problems", () => {
    const { lines } = discover({
      "services/bad/package.json": "{",
      "services/good/package.json": packageJson({ name: "good", scripts: START, orchestrator: { port: 0 } }),
    });
    expect(lines).toEqual([
      "services/bad/package.json:1:2 (syntax): invalid JSON: expected a string in double quotes, found the end of the file",
      "services/good/package.json:7:13 orchestrator.port: expected an integer from 1 to 65535, got 0",
    ]);
  });
});

describe("merging the manifest over discovery", () => {
  const files = {
    "services/auth/package.json": packageJson({ name: "@azora/auth", scripts: { start: "PORT=4001 node index.js" }, orchestrator: { phase: "critical", optional: true, health: { http: "/api/health" } } }),
  };

  test("manifest keys win one by one; what the manifest does not say stays as discovered", () => {
    const manifest = "version: 1\nservices:\n  auth:\n    port: 5001\n    optional: false\n    env: { LOG_LEVEL: debug }\n";
    const { service, issues } = discover(files, manifest);
    expect(issues).toEqual([]);
    const auth = service("auth");
    expect(auth.port).toBe(5001);
    expect(auth.optional).toBe(false);
    expect(auth.command).toBe("PORT=4001 node index.js");
    expect(auth.phaseName).toBe("critical");
    expect(auth.health.check).toEqual({ kind: "http", path: "/api/health", endpoints: ["/api/health"], port: 5001, host: "127.0.0.1" });
    expect(auth.source.manifest).toBe(true);
  });

  test("env: the manifest's keys sit beside the discovered port's PORT", () => {
    const { service } = discover(files, "version: 1\nservices:\n  auth:\n    env: { LOG_LEVEL: debug, RETRIES: 3, VERBOSE: true }\n");
    expect(service("auth").env).toEqual({ LOG_LEVEL: "debug", RETRIES: "3", VERBOSE: "true", PORT: "4001" });
  });

  test("restart and shutdown merge per key with the defaults", () => {
    const { service } = discover(files, "version: 1\ndefaults:\n  restart: { policy: always, resetAfter: 1m }\nservices:\n  auth:\n    restart: { backoff: [1s] }\n");
    expect(service("auth").restart).toEqual({ policy: "always", backoffMs: [1000], resetAfterMs: 60_000 });
  });

  test("a manifest command replaces the start script", () => {
    const { service } = discover(files, "version: 1\nservices:\n  auth:\n    command: [bun, run, dev]\n");
    expect(service("auth").command).toEqual(["bun", "run", "dev"]);
  });

  test("a manifest-only service sits beside the discovered ones", () => {
    const { names } = discover(files, "version: 1\nservices:\n  redis:\n    command: [redis-server]\n    phase: critical\n");
    expect(names()).toEqual(["auth", "redis"]);
  });

  test("a problem in a merged key points where the winning value was written", () => {
    const { lines } = discover(files, "version: 1\nservices:\n  auth:\n    phase: 99\n");
    expect(lines).toEqual([
      'orchestrator.yaml:4:12 services.auth.phase: unknown phase 99: expected one of "critical", "core", "intelligence", "b2b", "user-facing", "advanced", "optional" or an index below 7',
    ]);
  });
});

describe("package managers", () => {
  const start = packageJson({ name: "x", scripts: START });

  test.each<[string, PackageManager]>([
    ["bun.lock", "bun"],
    ["bun.lockb", "bun"],
    ["pnpm-lock.yaml", "pnpm"],
    ["yarn.lock", "yarn"],
    ["package-lock.json", "npm"],
  ])("a %s in the folder means %s", (lockfile, manager) => {
    const { service } = discover({ "services/x/package.json": start, [`services/x/${lockfile}`]: "" });
    expect(service("x").source.packageManager).toBe(manager);
  });

  test("the packageManager field wins over a lockfile", () => {
    const { service } = discover({ "services/x/package.json": packageJson({ name: "x", scripts: START, packageManager: "yarn@4.1.0" }), "services/x/package-lock.json": "{}" });
    expect(service("x").source.packageManager).toBe("yarn");
  });

  test("a lockfile at the root applies to folders without their own; bun by default", () => {
    const { service } = discover({ "services/x/package.json": start, "services/pnpm-lock.yaml": "" });
    expect(service("x").source.packageManager).toBe("pnpm");
    expect(discover({ "services/x/package.json": start }).service("x").source.packageManager).toBe("bun");
  });

  test("an unknown packageManager falls back to the lockfile", () => {
    const { service } = discover({ "services/x/package.json": packageJson({ name: "x", scripts: START, packageManager: "deno@2" }), "services/x/yarn.lock": "" });
    expect(service("x").source.packageManager).toBe("yarn");
  });
});

describe("duplicate names", () => {
  test("two packages with one name (scopes differ): the later folder is reported, naming the first", () => {
    const { lines } = discover({
      "services/b-copy/package.json": packageJson({ name: "@b/dup", scripts: START }),
      "services/a-orig/package.json": packageJson({ name: "@a/dup", scripts: START }),
    });
    expect(lines).toEqual(['services/b-copy/package.json:2:11 name: service name "dup" is also used by services/a-orig/package.json']);
  });

  test("a folder name that equals another package's name", () => {
    const { lines } = discover({
      "services/api/package.json": packageJson({ scripts: START }),
      "services/gateway/package.json": packageJson({ name: "api", scripts: START }),
    });
    expect(lines).toEqual(['services/gateway/package.json:2:11 name: service name "api" is also used by services/api/package.json']);
  });
});
