/** SPEC §15 in exports: Kubernetes replicas and a RollingUpdate from `update`, Compose deploy.replicas over a host port range. */
import { describe, expect, test } from "bun:test";
import { parse } from "yaml";
import { renderCompose } from "../../src/export/compose";
import { renderKubernetes } from "../../src/export/kubernetes";
import { renderSystemd } from "../../src/export/systemd";
import { SYSTEMD_ANALYZE, verifyUnits } from "./validators";
import { makeConfig, makeService } from "./make-config";

const web = makeService("web", { port: 5000, replicas: 3, proxy: { port: 8080, host: "127.0.0.1" }, update: { maxUnavailable: 0, maxSurge: 1 } });

describe("replicas in exports", () => {
  test("Kubernetes: a Deployment with replicas 3 and a RollingUpdate of maxSurge 1, maxUnavailable 0", () => {
    const file = renderKubernetes(makeConfig([web])).find((f) => f.path === "web.yaml")!;
    const deployment = file.content.split(/^---$/m).map((d) => parse(d)).find((d) => d?.kind === "Deployment");
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test("Compose: deploy.replicas and the instances' host port range", () => {
    const [file] = renderCompose(makeConfig([web]));
    const service = parse(file.content).services.web;
    expect(service.deploy).toEqual({ replicas: 3 });
    expect(service.ports).toEqual(["5000-5002:5000"]);
    expect(file.content).toContain("update (maxSurge 1, maxUnavailable 0): `docker compose up` replaces the replicas without waiting");
  });
});

describe("replicas as systemd template units", () => {
  const api = makeService("api", { port: 6000, dependsOn: [{ name: "web", condition: "healthy" }] });
  const files = renderSystemd(makeConfig([web, api]));
  const file = (path: string) => files.find((f) => f.path === path)?.content ?? "";

  test("one template NAME@.service, PORT=%i and a start-up wait on the instance's port; no unit under the plain name", () => {
    expect(files.map((f) => f.path)).not.toContain("demo-web.service");
    const template = file("demo-web@.service");
    expect(template).toContain('Environment="PORT=%i"');
    expect(template).toMatch(/ExecStartPost=.*http:\/\/127\.0\.0\.1:%i\/health/);
    expect(template).toContain("3 replicas: the template demo-web@.service, one instance per replica named by its port");
    expect(template).toContain("the proxy on 127.0.0.1:8080 is not mapped");
    expect(template).toContain("update (maxSurge 1, maxUnavailable 0) is not mapped: restart the instances one at a time");
  });

  test("one drop-in per instance sets ORCHESTRATOR_REPLICA; the target and every dependent name each instance", () => {
    for (const [i, port] of [5000, 5001, 5002].entries()) expect(file(`demo-web@${port}.service.d/replica.conf`)).toContain(`Environment="ORCHESTRATOR_REPLICA=${i + 1}"`);
    for (const port of [5000, 5001, 5002]) {
      expect(file("demo.target")).toContain(`Wants=demo-web@${port}.service`);
      expect(file("demo-api.service")).toContain(`Requires=demo-web@${port}.service`);
      expect(file("demo-api.service")).toContain(`After=demo-web@${port}.service`);
    }
  });

  test.skipIf(!SYSTEMD_ANALYZE)("systemd-analyze verify accepts the template through its instances", () => {
    const result = verifyUnits(renderSystemd(makeConfig([web, api]), { binaryPath: "/bin/sh" }));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });
});
