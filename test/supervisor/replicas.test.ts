/** expandReplicas: one manifest service with `replicas` (or a proxy) becomes NAME@1..N. */
import { afterAll, describe, expect, test } from "bun:test";
import { expandReplicas } from "../../src/supervisor/replicas";
import { load, removeTrees } from "../manifest/helpers";

afterAll(removeTrees);

function expanded(yaml: string) {
  const { config, lines } = load(`version: 1\nservices:\n${yaml}`);
  if (!config) throw new Error(`expected a valid manifest, got ${lines.join("; ")}`);
  return expandReplicas(config);
}

describe("expandReplicas", () => {
  test("instance i gets port + i - 1, PORT, ORCHESTRATOR_REPLICA, a probe on its own port and its group", () => {
    const config = expanded("  web:\n    command: x\n    port: 5000\n    replicas: 3\n    health: { tcp: true }\n");
    expect(config.services.map((s) => [s.name, s.port, s.env.PORT, s.env.ORCHESTRATOR_REPLICA])).toEqual([
      ["web@1", 5000, "5000", "1"],
      ["web@2", 5001, "5001", "2"],
      ["web@3", 5002, "5002", "3"],
    ]);
    expect(config.services[2].health.check).toMatchObject({ kind: "tcp", port: 5002 });
    expect(config.services[1].replica).toEqual({ group: "web", index: 2, basePort: 5000 });
  });

  test("a dependency on the group is a dependency on each instance; a service without replicas keeps its name", () => {
    const config = expanded("  web:\n    command: x\n    port: 5000\n    replicas: 2\n  worker:\n    command: x\n    dependsOn: { web: started }\n");
    const worker = config.services.find((s) => s.name === "worker")!;
    expect(worker.dependsOn).toEqual([
      { name: "web@1", condition: "started" },
      { name: "web@2", condition: "started" },
    ]);
  });

  test("a proxy alone makes one instance web@1, surging by default", () => {
    const config = expanded("  web:\n    command: x\n    port: 5000\n    proxy: { port: 8080 }\n");
    expect(config.services.map((s) => s.name)).toEqual(["web@1"]);
    expect(config.services[0].proxy).toEqual({ port: 8080, host: "127.0.0.1" });
    expect(config.services[0].update).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });
});
