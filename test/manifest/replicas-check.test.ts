/** SPEC §15 in `check`: port ranges of replicated services and proxy ports that overlap, replicas without a port. */
import { afterAll, describe, expect, test } from "bun:test";
import { load, removeTrees } from "./helpers";

afterAll(removeTrees);

const services = (body: string): string => `version: 1\nservices:\n${body}`;
const only = (yaml: string): string[] => load(yaml).lines;

describe("replicas in check", () => {
  test("a port inside another service's replica range is reported with the range", () => {
    expect(only(services("  web:\n    command: x\n    port: 5000\n    replicas: 3\n  api:\n    command: x\n    port: 5002\n"))).toEqual([
      'orchestrator.yaml:5:11 services.web.port: ports 5000-5002 (replicas: 3) overlaps port 5002, already used by "api"',
    ]);
  });

  test("two ranges that overlap, and a proxy port on an instance port, are reported", () => {
    const yaml = services("  web:\n    command: x\n    port: 5000\n    replicas: 2\n    proxy: { port: 5001 }\n  api:\n    command: x\n    port: 4999\n    replicas: 2\n");
    expect(only(yaml)).toEqual([
      'orchestrator.yaml:5:11 services.web.port: ports 5000-5001 (replicas: 2) overlaps ports 4999-5000, already used by "api"',
      'orchestrator.yaml:7:12 services.web.proxy: proxy port 5001 overlaps ports 5000-5001, already used by "web"',
    ]);
  });

  test("ranges side by side are fine", () => {
    expect(only(services("  web:\n    command: x\n    port: 5000\n    replicas: 2\n    proxy: { port: 8080 }\n  api:\n    command: x\n    port: 5002\n"))).toEqual([]);
  });

  test("replicas without a port is an error that says why", () => {
    expect(only(services("  web:\n    command: x\n    replicas: 2\n"))).toEqual([
      "orchestrator.yaml:5:15 services.web.replicas: replicas: 2 needs a `port` (instance i listens on port + i - 1), got none",
    ]);
  });

  test("update keys that cannot work without a proxy are positioned warnings", () => {
    expect(only(services("  web:\n    command: x\n    port: 5000\n    replicas: 2\n    update: { maxSurge: 1 }\n"))).toEqual([
      "orchestrator.yaml:7:25 services.web.update.maxSurge: warning: maxSurge: 1 needs a `proxy` to switch to the replacement; without one, instances restart 1 at a time",
    ]);
    expect(only(services("  web:\n    command: x\n    port: 5000\n    replicas: 2\n    update: { maxUnavailable: 0 }\n"))).toEqual([
      "orchestrator.yaml:7:31 services.web.update.maxUnavailable: warning: maxUnavailable: 0 needs a `proxy` and maxSurge: 1 (the replacement starts first); without them a restart still takes one instance down at a time",
    ]);
    expect(only(services("  web:\n    command: x\n    port: 5000\n    replicas: 2\n    proxy: { port: 8080 }\n    update: { maxUnavailable: 0, maxSurge: 1 }\n"))).toEqual([]);
  });
});
