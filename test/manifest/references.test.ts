/**
 * References (SPEC §13): `${self.port}`, `${self.name}` and `${services.NAME.port}` in a
 * service's command, env and health, resolved against the merged, final ports (discovery
 * included); `health: { tcp: true }` probes the service's own port. Every mistake is an
 * error at the place the reference was written, as `check` prints it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfigSync } from "../../src/manifest/load";
import { ReferenceTable } from "../../src/manifest/reference-table";
import { resolveReferences } from "../../src/manifest/references";
import type { ShellContext } from "../../src/manifest/shell-quote";
import { SourceFile } from "../../src/manifest/source";
import { makeConfig, makeService } from "../export/make-config";
import { lines, load, makeTree, packageJson, removeTrees } from "./helpers";

afterAll(removeTrees);

const manifest = (...body: string[]) => ["version: 1", "discovery: { roots: [] }", "services:", ...body, ""].join("\n");
const REDIS = ["  redis:", "    command: redis-server --port ${self.port}", "    port: 6380"];
const byName = (yaml: string, env?: Record<string, string>) => {
  const { config, lines: problems } = load(yaml, env ? { env } : {});
  return { problems, services: new Map((config?.services ?? []).map((s) => [s.name, s])) };
};
/** A sh -c run of `command`, from a scratch folder. */
const sh = (command: string) => Bun.spawnSync(["/bin/sh", "-c", command], { stdout: "pipe", cwd: makeTree() }).stdout.toString();

describe("each form, where it may stand", () => {
  test("${self.port} and ${self.name} in a command string, the argv form, env and every health value", () => {
    const { problems, services } = byName(
      manifest(
        ...REDIS,
        "    env: { WHO: '${self.name}@${self.port}' }",
        "    health: { exec: 'redis-cli -p ${self.port} ping' }",
        "  web:",
        "    command: [node, server.js, '--port=${self.port}', '${self.name}']",
        "    port: 8080",
        "    health: { http: '/health/${self.name}', host: '${self.name}.local' }",
        "  api:",
        "    command: x",
        "    port: 8081",
        "    health: { endpoints: ['/${self.name}/ready', /health] }",
      ),
    );
    expect(problems).toEqual([]);
    const redis = services.get("redis")!;
    expect(redis.command).toBe("redis-server --port 6380");
    expect(redis.env).toEqual({ WHO: "redis@6380", PORT: "6380" });
    expect(redis.health.check).toEqual({ kind: "exec", command: "redis-cli -p 6380 ping" });
    const web = services.get("web")!;
    expect(web.command).toEqual(["node", "server.js", "--port=8080", "web"]);
    expect(web.health.check).toEqual({ kind: "http", path: "/health/web", endpoints: ["/health/web"], port: 8080, host: "web.local" });
    expect(services.get("api")!.health.check).toMatchObject({ kind: "http", endpoints: ["/api/ready", "/health"] });
  });

  test("${services.NAME.port} in env, command and health; health.tcp takes it as the number", () => {
    const { problems, services } = byName(
      manifest(
        ...REDIS,
        "  app:",
        "    command: 'node app.js --redis ${services.redis.port}'",
        "    env: { REDIS_URL: 'redis://127.0.0.1:${services.redis.port}/0' }",
        "    health: { tcp: '${services.redis.port}' }",
      ),
    );
    expect(problems).toEqual([]);
    const app = services.get("app")!;
    expect(app.command).toBe("node app.js --redis 6380");
    expect(app.env.REDIS_URL).toBe("redis://127.0.0.1:6380/0");
    expect(app.health.check).toEqual({ kind: "tcp", port: 6380, host: "127.0.0.1" });
  });

  test("health: { tcp: true } probes the service's own port", () => {
    const { problems, services } = byName(manifest(...REDIS, "    health: { tcp: true }"));
    expect(problems).toEqual([]);
    expect(services.get("redis")!.health.check).toEqual({ kind: "tcp", port: 6380, host: "127.0.0.1" });
  });

  test("a service name with dots is read whole: ${services.cache.eu.port}", () => {
    const { problems, services } = byName(manifest("  cache.eu: { command: x, port: 7000 }", "  app: { command: x, env: { C: '${services.cache.eu.port}' } }"));
    expect(problems).toEqual([]);
    expect(services.get("app")!.env.C).toBe("7000");
  });

  test("$${self.port} stays literal, as $$ does", () => {
    const { problems, services } = byName(manifest(...REDIS, "    env: { LITERAL: '$${self.port}', BOTH: '$${self.port}=${self.port}' }"));
    expect(problems).toEqual([]);
    expect(services.get("redis")!.env).toMatchObject({ LITERAL: "${self.port}", BOTH: "${self.port}=6380" });
  });

  test("${VAR} and references mix in one value", () => {
    const { problems, services } = byName(manifest(...REDIS, "    env: { URL: '${SCHEME:-redis}://${HOST}:${self.port}' }"), { HOST: "10.0.0.5", PATH: "/usr/bin:/bin" });
    expect(problems).toEqual([]);
    expect(services.get("redis")!.env.URL).toBe("redis://10.0.0.5:6380");
  });

  test("a reference under an x- anchor is resolved for each service that uses it", () => {
    const { problems, services } = byName(
      [
        "version: 1",
        "discovery: { roots: [] }",
        "x-common: &common",
        "  env: { SERVICE: '${self.name}', LISTEN: ':${self.port}' }",
        "  health: { tcp: true }",
        "services:",
        "  a: { <<: *common, command: x, port: 7001 }",
        "  b: { <<: *common, command: x, port: 7002 }",
        "",
      ].join("\n"),
    );
    expect(problems).toEqual([]);
    expect([services.get("a")!.env, services.get("b")!.env]).toEqual([
      { SERVICE: "a", LISTEN: ":7001", PORT: "7001" },
      { SERVICE: "b", LISTEN: ":7002", PORT: "7002" },
    ]);
    expect(services.get("b")!.health.check).toEqual({ kind: "tcp", port: 7002, host: "127.0.0.1" });
  });

  test("defaults.health values are resolved per service", () => {
    const { problems, services } = byName(
      ["version: 1", "discovery: { roots: [] }", "defaults: { health: { endpoints: ['/${self.name}/health'] } }", "services:", "  a: { command: x, port: 7001 }", "  b: { command: x, port: 7002 }", ""].join("\n"),
    );
    expect(problems).toEqual([]);
    expect(services.get("a")!.health.check).toMatchObject({ endpoints: ["/a/health"] });
    expect(services.get("b")!.health.check).toMatchObject({ endpoints: ["/b/health"] });
  });

  test("no placeholder is left anywhere in the config", () => {
    const { config } = load(manifest(...REDIS, "    env: { A: '${self.port}' }", "    health: { tcp: '${self.port}' }"));
    expect(JSON.stringify(config)).not.toMatch(/[\uE000\uE001]/);
  });
});

describe("ports from discovery", () => {
  const fleet = (yaml: string) => {
    const dir = makeTree({
      "orchestrator.yaml": yaml,
      "services/db/package.json": packageJson({ name: "db", scripts: { start: "PORT=5433 node db.js" } }),
      "services/cache/package.json": packageJson({ name: "cache", scripts: { start: "node cache.js" }, orchestrator: { port: 6390, health: { tcp: true } } }),
    });
    const { config, issues } = loadConfigSync(join(dir, "orchestrator.yaml"), { env: { PATH: "/usr/bin:/bin" }, checkCommands: false });
    return { problems: lines(issues, dir), services: new Map((config?.services ?? []).map((s) => [s.name, s])) };
  };

  test("a port found in a package.json is what references see, and what tcp: true probes", () => {
    const { problems, services } = fleet("version: 1\nservices:\n  app:\n    command: x\n    env: { DB: '${services.db.port}', CACHE: '${services.cache.port}' }\n");
    expect(problems).toEqual([]);
    expect(services.get("app")!.env).toEqual({ DB: "5433", CACHE: "6390" });
    expect(services.get("cache")!.health.check).toEqual({ kind: "tcp", port: 6390, host: "127.0.0.1" });
  });

  test("the manifest's port wins over discovery's, for references too", () => {
    const { problems, services } = fleet("version: 1\nservices:\n  db: { port: 5500 }\n  app:\n    command: x\n    env: { DB: '${services.db.port}' }\n");
    expect(problems).toEqual([]);
    expect(services.get("app")!.env.DB).toBe("5500");
  });
});

describe("mistakes, where they were written", () => {
  test("an unknown service, with a suggestion", () => {
    expect(load(manifest(...REDIS, "  app:", "    command: x", "    env:", "      REDIS_URL: redis://127.0.0.1:${services.redsi.port}")).lines).toEqual([
      'orchestrator.yaml:10:18 services.app.env.REDIS_URL: ${services.redsi.port}: no service "redsi" (did you mean "redis"?)',
    ]);
  });

  test("a service without a port, and ${self.port} on a service without one", () => {
    expect(load(manifest("  worker: { command: 'work --port ${self.port}' }", "  app:", "    command: x", "    env: { W: '${services.worker.port}' }")).lines).toEqual([
      'orchestrator.yaml:4:22 services.worker.command: ${self.port}: service "worker" has no port (give it `port:`, or a port in its package.json)',
      'orchestrator.yaml:7:15 services.app.env.W: ${services.worker.port}: service "worker" has no port',
    ]);
  });

  test("tcp: true on a service without a port is an error, not a missing probe", () => {
    expect(load(manifest("  worker:", "    command: x", "    health: { tcp: true }")).lines).toEqual([
      'orchestrator.yaml:6:20 services.worker.health.tcp: tcp: true probes the service\'s own port, but "worker" has no port: give it `port:`, or the port to probe (tcp: 6379)',
    ]);
  });

  test("a name where health.tcp needs a port", () => {
    expect(load(manifest(...REDIS, "    health: { tcp: '${self.name}' }")).lines).toEqual([
      'orchestrator.yaml:7:20 services.redis.health.tcp: ${self.name} gives the name "redis", but health.tcp needs a port',
    ]);
  });

  test("a form that is not a reference", () => {
    expect(load(manifest(...REDIS, "    env: { A: '${self.host}', B: '${services.redis.name}', C: '${self.port:-80}' }")).lines).toEqual([
      'orchestrator.yaml:7:15 services.redis.env.A: unknown reference "${self.host}": expected ${self.port}, ${self.name} or ${services.NAME.port}',
      'orchestrator.yaml:7:34 services.redis.env.B: unknown reference "${services.redis.name}": expected ${self.port}, ${self.name} or ${services.NAME.port}',
      'orchestrator.yaml:7:63 services.redis.env.C: unknown reference "${self.port:-80}": expected ${self.port}, ${self.name} or ${services.NAME.port}',
    ]);
  });

  test("outside command, env and health: an error that says where references work, and nothing else about the value", () => {
    const only = "a reference (${self.port}, ${self.name} or ${services.NAME.port}) works only in a service's command, env and health (exec, http, tcp, host, endpoints)";
    expect(load(manifest(...REDIS, "  app:", "    command: x", "    port: ${services.redis.port}", "    image: 'app:${self.name}'", "    health: { interval: '${self.port}' }")).lines).toEqual([
      `orchestrator.yaml:9:11 services.app.port: \${services.redis.port}: ${only}`,
      `orchestrator.yaml:10:12 services.app.image: \${self.name}: ${only}`,
      `orchestrator.yaml:11:25 services.app.health.interval: \${self.port}: ${only}`,
    ]);
  });

  test("in shutdown.command the error says what to write instead", () => {
    expect(load(manifest(...REDIS, "    shutdown: { command: 'redis-cli -p ${self.port} shutdown' }")).lines).toEqual([
      "orchestrator.yaml:7:26 services.redis.shutdown.command: ${self.port}: a reference (${self.port}, ${self.name} or ${services.NAME.port}) works only in a service's command, env and health (exec, http, tcp, host, endpoints) (shutdown.command runs with the service's environment: write $PORT there)",
    ]);
  });

  test("an anchor used where references do not work: the error is at the anchor and names the use", () => {
    expect(load(["version: 1", "discovery: { roots: [] }", "x-name: &name 'logs-${self.name}'", "services:", "  a: { command: x, env: { N: *name }, image: *name }", ""].join("\n")).lines).toEqual([
      "orchestrator.yaml:3:15 x-name: ${self.name}: a reference (${self.port}, ${self.name} or ${services.NAME.port}) works only in a service's command, env and health (exec, http, tcp, host, endpoints); this one is used at services.a.image",
    ]);
  });

  test("a reference to a disabled service's port is a warning: nothing listens there", () => {
    const { lines: problems, config } = load(manifest("  cache: { command: x, port: 6400, disabled: true }", "  app: { command: x, env: { C: '${services.cache.port}' } }"));
    expect(problems).toEqual(['orchestrator.yaml:5:32 services.app.env.C: warning: ${services.cache.port}: service "cache" is disabled, so nothing of this fleet listens on port 6400']);
    expect(config!.services.find((s) => s.name === "app")!.env.C).toBe("6400");
  });
});

// The manifest only takes plain names, which no shell reads specially; a discovered service
// takes its folder's name, which may be anything. Quoting is checked on such a name directly.
describe("in a command string the name is quoted like a ${VAR} value", () => {
  const NAME = `it's "a"; $b`;
  const resolve = (command: string, context: ShellContext) => {
    const source = new SourceFile("/fleet/orchestrator.yaml", "version: 1\n");
    const table = new ReferenceTable();
    const placeholder = table.place("self.name", source, ["services", "a", "command"], { context, escaped: false }, () => {});
    const config = makeConfig([makeService(NAME, { command: command.replace("@", placeholder!) })]);
    const issues = resolveReferences(config, table);
    return { issues: issues.map((i) => i.message), command: config.services[0].command as string };
  };

  test.each([
    ["unquoted", "printf '%s\\n' @", "unquoted", `${NAME}\n`],
    ["in double quotes", "printf '%s\\n' \"<@>\"", "double", `<${NAME}>\n`],
    ["in single quotes", "printf '%s\\n' '<@>'", "single", `<${NAME}>\n`],
  ] as const)("%s: sh reads it back as the one literal name", (_, command, context, printed) => {
    const { issues, command: resolved } = resolve(command, context);
    expect(issues).toEqual([]);
    expect(sh(resolved)).toBe(printed);
  });

  test("where it cannot be quoted safely, an error", () => {
    expect(resolve("echo `echo @`", "unsure").issues).toEqual([
      `\${self.name} in a command string: its value ${JSON.stringify(NAME)} cannot be quoted safely inside backticks, a here-document or a case in $(...); use the argv form (command: [...])`,
    ]);
  });

  test("a port is plain digits: it goes in as is, even where a name could not", () => {
    const source = new SourceFile("/fleet/orchestrator.yaml", "version: 1\n");
    const table = new ReferenceTable();
    const placeholder = table.place("self.port", source, ["services", "a", "command"], { context: "unsure", escaped: false }, () => {});
    const config = makeConfig([makeService(NAME, { command: `echo \`echo ${placeholder}\``, port: 6379 })]);
    expect(resolveReferences(config, table)).toEqual([]);
    expect(config.services[0].command).toBe("echo `echo 6379`");
  });
});
