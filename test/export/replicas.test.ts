/** SPEC §15 in exports: Kubernetes replicas and a RollingUpdate from `update`, Compose deploy.replicas over a host port range. */
import { describe, expect, test } from "bun:test";
import { parse } from "yaml";
import { renderCompose } from "../../src/export/compose";
import { renderKubernetes } from "../../src/export/kubernetes";
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
  });
});
