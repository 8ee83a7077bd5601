/**
 * The SPEC §13 keys in every export: each key an engine can express appears as that engine's
 * field, each one it cannot is named in the header with the reason, and the files still pass
 * the engines' own checks (Compose's JSON Schema, kubernetes-models, systemd-analyze verify).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { renderCompose, renderKubernetes, renderSystemd } from "../../src/export";
import { loadConfigSync } from "../../src/manifest/load";
import { makeConfig, makeOperatedFleet, makeService } from "./make-config";
import { composeErrors, parseDocuments, SYSTEMD_ANALYZE, validateKubernetesObject, verifyUnits } from "./validators";

const fleet = makeOperatedFleet();

describe("systemd units carry user, group, umask, nice, rlimits, memory, the stop command and the pid file", () => {
  const files = renderSystemd(fleet);
  const unit = (name: string) => files.find((f) => f.path === `ops-${name}.service`)!.content;
  const values = (name: string, key: string) => unit(name).split("\n").filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
  const header = (name: string) => unit(name).split("\n").filter((l) => l.startsWith("#")).join("\n");

  test("db: the user by name, its primary group left to systemd, and every limit", () => {
    expect(values("db", "User")).toEqual(["postgres"]);
    expect(values("db", "Group")).toEqual([]); // systemd takes the user's primary group (and initgroups) on the target host
    expect(values("db", "UMask")).toEqual(["0027"]);
    expect(values("db", "Nice")).toEqual(["5"]);
    expect(values("db", "LimitNOFILE")).toEqual(["65536"]);
    expect(values("db", "LimitNPROC")).toEqual(["4096"]);
    expect(values("db", "LimitCORE")).toEqual(["0"]);
    expect(values("db", "MemoryMax")).toEqual(["1G"]);
    expect(values("db", "ExecStop")).toEqual(['/usr/bin/env sh -c "pg_ctl -D /var/lib/postgresql/data stop -m fast"']);
    expect(values("db", "KillSignal")).toEqual(["SIGINT"]);
    expect(values("db", "TimeoutStopSec")).toEqual(["1m"]);
    expect(header("db")).toContain("db: shutdown.command: systemd sends KillSignal= to what is left as soon as ExecStop= returns");
    expect(header("db")).toContain("db: logs (maxSize 20MB, keep 3, format json): journald keeps the output");
  });

  test("numeric ids stay numeric; unlimited is infinity; sizes stay exact", () => {
    expect(values("cache", "User")).toEqual(["999"]);
    expect(values("cache", "Group")).toEqual(["999"]);
    expect(values("cache", "LimitCORE")).toEqual(["infinity"]);
    expect(values("cache", "MemoryMax")).toEqual(["512M"]);
    expect(values("app", "MemoryMax")).toEqual(["1500000000"]); // 1.5GB is no whole number of KiB
    expect(values("web", "LimitNPROC")).toEqual(["infinity"]);
  });

  test("a group without a user keeps the dedicated user; umask and a negative nice", () => {
    expect(values("app", "User")).toEqual(["orchestrator"]);
    expect(values("app", "Group")).toEqual(["ssl-cert"]);
    expect(values("app", "UMask")).toEqual(["0077"]);
    expect(values("app", "Nice")).toEqual(["-5"]);
  });

  test("a daemon with a pid file is Type=forking with PIDFile=; its stop command reads $MAINPID from systemd", () => {
    expect(values("web", "Type")).toEqual(["forking"]);
    expect(values("web", "PIDFile")).toEqual(["/run/nginx.pid"]);
    expect(values("web", "User")).toEqual(["www-data"]);
    expect(values("web", "Group")).toEqual(["www-data"]);
    // `$$` is systemd's literal `$`: the shell expands MAINPID, which systemd sets for ExecStop=
    expect(values("web", "ExecStop")).toEqual(['/usr/bin/env sh -c "kill -QUIT \\"$$MAINPID\\" && while kill -0 \\"$$MAINPID\\" 2>/dev/null; do sleep 1; done"']);
  });

  test("protected set against its default is explained; the default says nothing new", () => {
    expect(header("web")).toContain("web: protected: nothing to map: systemd never restarts a service because another one fails");
    expect(header("cache")).toContain("cache: protected: false: systemd never restarts a service's dependencies");
    expect(header("db")).not.toContain("protected");
  });

  test("orchestrator.service runs as root when services switch users, with room for their limits and pid files", () => {
    const text = files.find((f) => f.path === "orchestrator.service")!.content;
    expect(text).toContain("# Runs as root: app, cache, db, web set `user` or `group`");
    expect(text).not.toMatch(/^User=/m);
    expect(text).not.toContain("useradd");
    expect(text).toContain("\nDelegate=yes\n");
    expect(text).not.toContain("ProtectControlGroups");
    expect(text).toContain("\nReadWritePaths=/opt/ops /run\n");
    expect(text).toContain("\nLimitNICE=-5\n"); // app's nice -5
    const higher = renderSystemd(makeConfig([makeService("db", { limits: { nofile: 1_048_576 } })]));
    const plain = higher.find((f) => f.path === "orchestrator.service")!.content;
    expect(plain).toContain("\nLimitNOFILE=1048576\n");
    expect(plain).toContain("\nUser=orchestrator\n"); // nobody switches users: the dedicated user as before
    expect(plain).toContain("\nProtectControlGroups=yes\n");
  });

  test("user nobody is mapped, with systemd's own warning explained in the header", () => {
    const [unitFile] = renderSystemd(makeConfig([makeService("legacy", { user: "nobody", group: "nogroup" })]));
    expect(unitFile.content).toContain("\nUser=nobody\nGroup=nogroup\n");
    expect(unitFile.content).toContain("legacy: user nobody: systemd warns about units running as nobody");
  });

  test.skipIf(!SYSTEMD_ANALYZE)("systemd-analyze verify accepts every unit (users that exist here: postgres, www-data, ssl-cert)", () => {
    const result = verifyUnits(renderSystemd(fleet, { binaryPath: "/bin/sh" }));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  test.skipIf(!SYSTEMD_ANALYZE)("systemd-analyze verify rejects a bad UMask= or LimitNOFILE= (the check can fail on these keys)", () => {
    const broken = renderSystemd(fleet, { binaryPath: "/bin/sh" }).map((f) => ({ ...f, content: f.content.replace("UMask=0027", "UMask=0999").replace("LimitNOFILE=65536\n", "LimitNOFILE=lots\n") }));
    const { output } = verifyUnits(broken);
    expect(output).toContain("Failed to parse mode value, ignoring: 0999");
    expect(output).toContain("Failed to parse resource value, ignoring: lots");
  });
});

describe("Compose services carry user, ulimits, mem_limit and json-file rotation", () => {
  const [file] = renderCompose(fleet);
  const services = (parse(file.content) as { services: Record<string, any> }).services;
  /** The comment block above a service: its notes. */
  const notes = (name: string) => file.content.split(`\n  ${name}:\n`)[0].split("\n  # phase").pop()!;

  test("the file passes the Compose Specification schema", () => {
    expect(composeErrors(parse(file.content))).toEqual([]);
  });

  test("db: user, ulimits, mem_limit in Docker's binary units, and logging from logs", () => {
    expect(services.db).toMatchObject({
      user: "postgres",
      ulimits: { nofile: 65536, nproc: 4096, core: 0 },
      mem_limit: "1g",
      stop_signal: "SIGINT",
      stop_grace_period: "1m",
      // max-size is read in powers of 1000 (20MB); max-file counts the live file besides the 3 kept
      logging: { driver: "json-file", options: { "max-size": "20m", "max-file": "4" } },
    });
    expect(notes("db")).toContain("umask 0027: Compose has no umask setting");
    expect(notes("db")).toContain("nice 5: Compose has no scheduling priority setting");
    expect(notes("db")).toContain("shutdown.command: Compose has no stop command; docker stop sends stop_signal instead");
    expect(notes("db")).toContain("logs.format json: the json-file driver writes its own records");
  });

  test("uid:gid, unlimited as -1, exact bytes where no unit divides", () => {
    expect(services.cache).toMatchObject({ user: "999:999", ulimits: { nofile: 10032, core: -1 }, mem_limit: "512m" });
    expect(services.web).toMatchObject({ user: "www-data:www-data", ulimits: { nproc: -1 } });
    expect(services.app.mem_limit).toBe(1_500_000_000);
    expect(services.app.logging.options).toEqual({ "max-size": "67108864", "max-file": "1" });
  });

  test("what Compose cannot say is named above the service, with the reason", () => {
    expect(services.app.user).toBeUndefined();
    expect(notes("app")).toContain("group ssl-cert without user: Compose's user names a user first; not mapped");
    expect(notes("web")).toContain("pidFile: Compose supervises the container's main process only");
    expect(notes("web")).toContain("protected: nothing to map: Compose never restarts a service because another one fails");
    expect(notes("cache")).toContain("protected: false");
    expect(notes("cache")).not.toContain("umask");
  });
});

describe("Kubernetes containers carry numeric ids, the memory limit and the stop command as preStop", () => {
  const files = renderKubernetes(fleet, { namespace: "ops" });
  const objects = files.flatMap((f) => parseDocuments(f.content));
  const container = (name: string) => objects.find((o) => o.kind === "Deployment" && o.metadata.name === name).spec.template.spec.containers[0];
  const header = (name: string) => files.find((f) => f.path === `${name}.yaml`)!.content.split("\n---")[0];

  test("every object validates against the Kubernetes models", () => {
    for (const object of objects) expect(() => validateKubernetesObject(object)).not.toThrow();
  });

  test("the models reject a user name as runAsUser (why a name cannot map)", () => {
    const deployment = structuredClone(objects.find((o) => o.kind === "Deployment" && o.metadata.name === "cache"));
    deployment.spec.template.spec.containers[0].securityContext.runAsUser = "redis";
    expect(() => validateKubernetesObject(deployment)).toThrow();
  });

  test("numeric user and group become runAsUser and runAsGroup; memory is an exact quantity", () => {
    expect(container("cache").securityContext).toEqual({ runAsUser: 999, runAsGroup: 999 });
    expect(container("cache").resources).toEqual({ limits: { memory: "512Mi" } });
    expect(container("db").resources).toEqual({ limits: { memory: "1Gi" } });
    expect(container("app").resources).toEqual({ limits: { memory: "1500M" } });
  });

  test("shutdown.command runs as preStop, with MAINPID the container's pid 1", () => {
    expect(container("db").lifecycle).toEqual({ preStop: { exec: { command: ["env", "MAINPID=1", "sh", "-c", "pg_ctl -D /var/lib/postgresql/data stop -m fast"] } } });
    expect(header("db")).toContain("db: shutdown.command runs as the preStop hook; the kubelet still sends SIGTERM when it returns");
  });

  test("names, rlimits, umask, nice, pid files, logs and protected are named in the header, with the reason", () => {
    // SPEC §17: a name the official image defines becomes that image's id; one it does not stays a note
    expect(container("db").securityContext).toEqual({ runAsUser: 999 });
    expect(header("db")).toContain("db: user postgres: securityContext.runAsUser 999, the id postgres has in postgres:15");
    expect(header("db")).toContain("db: limits nofile 65536, nproc 4096, core 0: a pod has no rlimits");
    expect(header("db")).toContain("db: umask 0027: a pod has no umask setting");
    expect(header("db")).toContain("db: nice 5: a pod has no scheduling priority setting");
    expect(header("db")).toContain("db: logs (maxSize 20MB, keep 3, format json): the kubelet rotates container logs node-wide");
    expect(header("cache")).toContain("cache: limits nofile 10032, core unlimited: a pod has no rlimits");
    expect(header("web")).toContain("web: group www-data: securityContext.runAsGroup 33, the id www-data has in nginx:1.25");
    expect(header("web")).toContain("web: pidFile: Kubernetes supervises the container's main process only");
    expect(header("web")).toContain("web: protected: nothing to map: Kubernetes never restarts a service because another one fails");
    expect(header("app")).toContain("app: group ssl-cert: securityContext.runAsGroup takes a numeric id");
    expect(header("app")).toContain("app: logs (maxSize 64MiB, keep 0, format raw)");
  });
});

describe("from a manifest on disk: what the loader resolves is what the exports map", () => {
  const dir = mkdtempSync(join(tmpdir(), "export-operated-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const manifest = [
    "version: 1",
    "name: ops",
    "services:",
    "  db:",
    "    command: [postgres, -D, /var/lib/postgresql/data]",
    "    phase: critical",
    "    port: 5432",
    "    health: { tcp: true }",
    "    user: postgres",
    '    umask: "027"',
    "    nice: 5",
    "    limits: { memory: 1GiB, nofile: 65536, nproc: 4096, core: unlimited }",
    '    shutdown: { signal: SIGINT, timeout: 60s, command: "pg_ctl -D /var/lib/postgresql/data stop -m fast" }',
    "    pidFile: run/db.pid",
    "    logs: { maxSize: 20MB, keep: 3, format: json }",
    "",
  ].join("\n");
  writeFileSync(join(dir, "orchestrator.yaml"), manifest);
  const { config, issues } = loadConfigSync(join(dir, "orchestrator.yaml"), { env: {}, checkCommands: false, checkHost: false });

  test("the manifest loads", () => {
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
  });

  test("systemd, Compose and Kubernetes each carry the keys they can", () => {
    const unit = renderSystemd(config!).find((f) => f.path === "ops-db.service")!.content;
    for (const line of ["User=postgres", "UMask=0027", "Nice=5", "LimitNOFILE=65536", "LimitNPROC=4096", "LimitCORE=infinity", "MemoryMax=1G", "Type=forking", "PIDFile=/opt/ops/run/db.pid", "KillSignal=SIGINT", "TimeoutStopSec=1m"]) {
      expect(unit).toContain(`\n${line}\n`);
    }
    expect(unit).toContain('\nExecStop=/usr/bin/env sh -c "pg_ctl -D /var/lib/postgresql/data stop -m fast"\n');
    const compose = (parse(renderCompose(config!)[0].content) as { services: Record<string, any> }).services.db;
    expect(compose).toMatchObject({ user: "postgres", ulimits: { nofile: 65536, nproc: 4096, core: -1 }, mem_limit: "1g", logging: { options: { "max-size": "20m", "max-file": "4" } } });
    const [deployment] = parseDocuments(renderKubernetes(config!)[0].content);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.resources).toEqual({ limits: { memory: "1Gi" } });
    expect(container.lifecycle.preStop.exec.command.at(-1)).toBe("pg_ctl -D /var/lib/postgresql/data stop -m fast");
  });
});
