/**
 * SPEC §17 on the real fleet of docs/RECIPES.md: the defects an operator met exporting it.
 * Each test fails on one of them: a `data` path with no volume, a healthcheck calling a tool
 * its image lacks (curl on oven/bun, nc on redis), a Debian stand-in for a well-known server,
 * `PrivateTmp=` next to a writable path under /tmp, a header silent about what it chose.
 */
import { describe, expect, test } from "bun:test";
import { renderCompose, renderKubernetes, renderSystemd } from "../../src/export";
import { profileOf } from "../../src/export/images";
import { makeConfig, makeService } from "./make-config";
import { loadRealFleet } from "./real-fleet";
import { parseDocuments, SYSTEMD_ANALYZE, verifyUnits } from "./validators";

const fleet = loadRealFleet();
const PGDATA = "/var/lib/postgresql/15/orchestrator";
const compose = () => {
  const [file] = renderCompose(fleet);
  return { text: file!.content, doc: parseDocuments(file!.content)[0] };
};
const kubernetes = (config = fleet) => new Map(renderKubernetes(config).map((f) => [f.path, { text: f.content, objects: parseDocuments(f.content) }]));
const headerOf = (text: string) => text.split("\n").filter((l) => l.startsWith("#")).join("\n");

describe("data: every path is kept by each engine", () => {
  test("the recipes declare PostgreSQL's cluster as data", () => {
    expect(fleet.services.find((s) => s.name === "db")!.data).toEqual([PGDATA]);
  });

  test("Compose: a named volume mounted at the path, one volume for the services that share it", () => {
    const { doc } = compose();
    expect(doc.services.db.volumes).toEqual([`db-init-data:${PGDATA}`]);
    expect(doc.services["db-init"].volumes).toEqual([`db-init-data:${PGDATA}`]);
    expect(doc.volumes).toEqual({ "db-init-data": {} });
    expect(doc.services.cache.volumes).toBeUndefined();
  });

  test("Kubernetes: a StatefulSet with a claim per path mounted there, group-owned by the image's postgres, and a headless Service", () => {
    const db = kubernetes().get("db.yaml")!;
    const [set, service] = db.objects;
    expect(set.kind).toBe("StatefulSet");
    expect(set.spec.serviceName).toBe("db");
    expect(set.spec.volumeClaimTemplates.map((c: any) => [c.metadata.name, c.spec.accessModes, c.spec.resources.requests.storage])).toEqual([["db-data", ["ReadWriteOnce"], "1Gi"]]);
    expect(set.spec.template.spec.containers[0].volumeMounts).toEqual([{ name: "db-data", mountPath: PGDATA }]);
    expect(set.spec.template.spec.securityContext).toEqual({ fsGroup: 999 });
    expect(service).toMatchObject({ kind: "Service", spec: { clusterIP: "None", ports: [{ port: 5432 }] } });
    expect(headerOf(db.text)).toContain("db: data /var/lib/postgresql/15/orchestrator is also db-init's: each StatefulSet gets claims of its own");
    // without data: a Deployment and an ordinary Service, as before
    const [deployment, plain] = kubernetes().get("cache.yaml")!.objects;
    expect(deployment.kind).toBe("Deployment");
    expect(plain.spec.clusterIP).toBeUndefined();
  });

  test("systemd: ReadWritePaths= on the unit, and on orchestrator.service, whose sandbox the services inherit", () => {
    const files = renderSystemd(fleet);
    const unit = (path: string) => files.find((f) => f.path === path)!.content;
    expect(unit("shop-db.service")).toContain(`\nReadWritePaths=${PGDATA}\n`);
    expect(unit("orchestrator.service")).toContain(`\nReadWritePaths=/opt/shop ${PGDATA}\n`);
    expect(unit("orchestrator.service")).toContain("\nPrivateTmp=yes\n"); // nothing under /tmp here
  });
});

describe("systemd: never PrivateTmp= with a path under /tmp", () => {
  const inTmp = loadRealFleet({ PGDATA: "/tmp/shop/pg/data" });
  const files = renderSystemd(inTmp, { binaryPath: "/bin/sh" });
  const orchestrator = files.find((f) => f.path === "orchestrator.service")!.content;

  test("data under /tmp: PrivateTmp= is left out (and said so), the path stays writable", () => {
    expect(orchestrator).toContain("\nReadWritePaths=/opt/shop /tmp/shop/pg/data\n");
    expect(orchestrator).not.toMatch(/^PrivateTmp=/m);
    expect(orchestrator).toContain("# PrivateTmp= left out: /tmp/shop/pg/data must stay writable and PrivateTmp= would hide it.");
    expect(orchestrator).toContain("\nProtectHome=yes\n");
  });

  test("data under /home: ProtectHome= is left out the same way; PrivateTmp= stays", () => {
    const text = renderSystemd(loadRealFleet({ PGDATA: "/home/pg/data" })).find((f) => f.path === "orchestrator.service")!.content;
    expect(text).not.toMatch(/^ProtectHome=/m);
    expect(text).toContain("\nPrivateTmp=yes\n");
  });

  test.skipIf(!SYSTEMD_ANALYZE)("the units still pass systemd-analyze verify", () => {
    expect(verifyUnits(files).output).toBe("");
  });
});

describe("images: the server's own, with a healthcheck tool it has", () => {
  test("Compose: each well-known server gets its project's official image, the app a runtime; no Debian stand-in", () => {
    const { doc } = compose();
    const images = Object.fromEntries(Object.entries(doc.services).map(([name, s]: [string, any]) => [name, s.image]));
    expect(images).toEqual({ cache: "redis:7", "db-init": "postgres:15", db: "postgres:15", app: "oven/bun:1", web: "nginx:1.27" });
    expect(doc.services.app.volumes).toEqual(["./app:/app"]); // the runtime runs the checkout
    expect(doc.services.web.volumes).toBeUndefined(); // the server's program is in its image
  });

  test("Compose: every healthcheck runs a program its image has (or one the manifest names by path)", () => {
    const { doc } = compose();
    for (const [name, service] of Object.entries(doc.services) as [string, any][]) {
      if (!service.healthcheck) continue;
      const program = service.healthcheck.test[1].split(" ")[0];
      if (program.startsWith("/")) continue; // the manifest's own exec probe: pg_isready at its path in postgres:15
      expect({ name, program, has: profileOf(service.image)!.tools.has(program) }).toEqual({ name, program, has: true });
    }
    expect(doc.services.cache.healthcheck.test[1]).toBe("redis-cli -p 6379 ping | grep -q PONG"); // redis:7 has no nc, curl or wget
    expect(doc.services.app.healthcheck.test[1]).toStartWith("bun -e "); // oven/bun:1 has no curl or wget
    expect(doc.services.web.healthcheck.test[1]).toBe("curl -fsS -o /dev/null --max-time 5 http://localhost:8080/health"); // nginx's image has curl
  });

  test("Kubernetes: official images need no build; the app's image is still to build", () => {
    const files = kubernetes();
    expect(files.get("db.yaml")!.objects[0].spec.template.spec.containers[0].image).toBe("postgres:15");
    expect(files.get("web.yaml")!.objects[0].spec.template.spec.containers[0].image).toBe("nginx:1.27");
    expect(headerOf(files.get("db.yaml")!.text)).not.toContain("docker build");
    expect(headerOf(files.get("app.yaml")!.text)).toContain("app: image shop/app:latest does not exist: build one from oven/bun:1 with the code of app");
    // a named user the official image defines becomes its uid
    expect(files.get("web.yaml")!.objects[0].spec.template.spec.containers[0].securityContext).toEqual({ runAsUser: 33 });
  });

  test("an exec probe calling a tool the image lacks is named in the header, in both engines", () => {
    const config = makeConfig([
      makeService("api", { port: 3000, health: { ...makeService("x").health, check: { kind: "exec", command: "curl -fsS http://localhost:3000/health" } } }),
    ]);
    const [file] = renderCompose(config);
    expect(headerOf(file!.content)).toContain("api: the health command runs curl, which oven/bun:1 does not have");
    expect(headerOf(kubernetes(config).get("api.yaml")!.text)).toContain("api: the exec probe runs curl, which oven/bun:1 does not have");
  });

  test("a program that is no known server or runtime: the header says it needs an image", () => {
    const config = makeConfig([makeService("legacy", { command: ["/opt/legacy/bin/frobd", "--foreground"], health: { ...makeService("x").health, check: null } })]);
    expect(headerOf(renderCompose(config)[0]!.content)).toContain("legacy: NEEDS AN IMAGE: frobd is no well-known server or runtime");
    expect(headerOf(kubernetes(config).get("legacy.yaml")!.text)).toContain("legacy: NEEDS AN IMAGE: frobd is no well-known server or runtime");
  });
});

describe("headers: what the export chose and what still needs a human", () => {
  test("Compose names each chosen image and healthcheck tool, the volume to chown, and the config file to mount", () => {
    const header = headerOf(compose().text);
    expect(header).toContain("# Chosen by the export");
    expect(header).toContain("db: image postgres:15: the official image of postgres, chosen from its command");
    expect(header).toContain("cache: healthcheck with redis-cli, which redis:7 has");
    expect(header).toContain(`db-init: volume db-init-data (data ${PGDATA}) starts empty and owned by root`);
    expect(header).toContain("web: /etc/nginx/orchestrator.conf (in its command) is a host path the export does not mount");
    expect(header).toContain("cache: its command or env names 127.0.0.1 / localhost: in a container that is the container itself");
    expect(header).not.toContain("web: its command or env names 127.0.0.1"); // nginx's address is in its config file, not its command
  });

  test("each Kubernetes file names its own choices: the image and the claims to size", () => {
    const header = headerOf(kubernetes().get("db.yaml")!.text);
    expect(header).toContain("db: image postgres:15: the official image of postgres");
    expect(header).toContain("db: a StatefulSet: each data path is a volumeClaimTemplate (db-data) of 1Gi");
  });
});
