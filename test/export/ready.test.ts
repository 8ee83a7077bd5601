/**
 * SPEC §14 in the exports: Kubernetes readinessProbe from `ready`, livenessProbe from
 * `health` (a log or notify readiness is named as unmapped); systemd Type=notify,
 * NotifyAccess=all, WatchdogSec=; Compose's healthcheck from `health`. The files still pass
 * the engines' own checks.
 */
import { describe, expect, test } from "bun:test";
import { parse } from "yaml";
import { renderCompose, renderKubernetes, renderSystemd } from "../../src/export";
import type { ServiceConfig } from "../../src/contract/config";
import { makeConfig, makeService } from "./make-config";
import { composeErrors, parseDocuments, SYSTEMD_ANALYZE, validateKubernetesObject, verifyUnits } from "./validators";

const http = (path: string, port: number) => ({ kind: "http" as const, path, endpoints: [path], port, host: "127.0.0.1" });
const health = (check: ServiceConfig["health"]["check"]) => ({ check, intervalMs: 10_000, timeoutMs: 2000, failureThreshold: 4 });
const fleet = makeConfig([
  makeService("api", { port: 8080, health: health(http("/live", 8080)), ready: { kind: "probe", check: http("/ready", 8080), intervalMs: 1000, timeoutMs: 500 } }),
  makeService("db", { port: 5432, health: health({ kind: "tcp", port: 5432, host: "127.0.0.1" }), ready: { kind: "systemd", watchdogMs: 30_000 } }),
  makeService("cache", { port: 6379, health: health({ kind: "tcp", port: 6379, host: "127.0.0.1" }), ready: { kind: "log", pattern: "Ready to accept connections" } }),
  makeService("worker", { health: health(null), ready: { kind: "fd", fd: 3 } }),
]);

describe("Kubernetes", () => {
  const files = renderKubernetes(fleet);
  const container = (name: string) => parseDocuments(files.find((f) => f.path === `${name}.yaml`)!.content).find((d) => d.kind === "Deployment").spec.template.spec.containers[0];
  const header = (name: string) => files.find((f) => f.path === `${name}.yaml`)!.content.split("\n").filter((l) => l.startsWith("#")).join("\n");

  test("a readiness probe is the readinessProbe (and startupProbe); health is the livenessProbe", () => {
    const c = container("api");
    expect(c.readinessProbe).toEqual({ httpGet: { path: "/ready", port: 8080 }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 1 });
    expect(c.startupProbe.httpGet).toEqual({ path: "/ready", port: 8080 });
    expect(c.livenessProbe).toEqual({ httpGet: { path: "/live", port: 8080 }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 4 });
  });

  test("log and notify readiness are named as unmapped; the probes come from health", () => {
    expect(header("db")).toContain("db: ready: { notify: systemd }: Kubernetes has no such readiness signal; readinessProbe comes from health");
    expect(header("cache")).toContain('cache: ready: { log: "Ready to accept connections" }: Kubernetes has no such readiness signal');
    expect(header("worker")).toContain("worker: ready: { notify: fd, fd: 3 }: Kubernetes has no such readiness signal");
    expect(container("db").readinessProbe).toEqual({ tcpSocket: { port: 5432 }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 4 });
  });

  test("every object passes the Kubernetes models", () => {
    for (const file of files) for (const object of parseDocuments(file.content)) expect(() => validateKubernetesObject(object)).not.toThrow();
  });
});

describe("systemd", () => {
  const files = renderSystemd(fleet, { binaryPath: "/bin/sh" });
  const unit = (name: string) => files.find((f) => f.path.endsWith(`-${name}.service`))!.content;
  const values = (name: string, key: string) => unit(name).split("\n").filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

  test("notify: systemd is Type=notify with NotifyAccess=all and WatchdogSec=, and no start-up wait loop", () => {
    expect(values("db", "Type")).toEqual(["notify"]);
    expect(values("db", "NotifyAccess")).toEqual(["all"]);
    expect(values("db", "WatchdogSec")).toEqual(["30s"]);
    expect(values("db", "ExecStartPost")).toEqual([]);
  });

  test("a readiness probe is what the start-up wait polls; other units stay Type=simple", () => {
    expect(values("api", "ExecStartPost")[0]).toContain("http://127.0.0.1:8080/ready");
    expect(values("api", "Type")).toEqual(["simple"]);
    expect(values("cache", "Type")).toEqual(["simple"]);
    expect(unit("cache")).toContain("cache: ready: { log: \"Ready to accept connections\" }: systemd has no such readiness signal");
  });

  test.skipIf(!SYSTEMD_ANALYZE)("systemd-analyze verify accepts the units", () => {
    const result = verifyUnits(files);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });
});

describe("Compose", () => {
  const [file] = renderCompose(fleet);
  const services = (parse(file.content) as { services: Record<string, any> }).services;

  test("the healthcheck comes from health, not ready; ready is noted", () => {
    expect(services.api.healthcheck.test.join(" ")).toContain("/live");
    expect(services.api.healthcheck.test.join(" ")).not.toContain("/ready");
    expect(file.content).toContain("ready: { http }: Compose has one healthcheck, taken from health");
    expect(composeErrors(parse(file.content))).toEqual([]);
  });
});
