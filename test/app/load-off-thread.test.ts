/** Loading a manifest in a Worker: the same answer as on the main thread, and a correct fallback. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigOffThread } from "../../src/app/load-off-thread";
import { loadConfigSync } from "../../src/manifest/load";

const dir = mkdtempSync(join(tmpdir(), "orch-off-thread-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MANIFEST = [
  "version: 1",
  "discovery: { roots: [] }",
  "services:",
  "  db: { command: [sleep, '1'], port: 5432, env: { MODE: '${MODE:-dev}' }, health: { tcp: 5432, interval: 1s } }",
  "  api: { command: 'exec sleep ${SECONDS:-1}', dependsOn: { db: started }, restart: { policy: always } }",
  "",
].join("\n");

describe("loadConfigOffThread", () => {
  test("the worker gives exactly the main thread's result, as plain data", async () => {
    const file = join(dir, "good.yaml");
    writeFileSync(file, MANIFEST);
    const options = { env: { PATH: process.env.PATH, MODE: "prod" } };
    const off = await loadConfigOffThread(file, options);
    expect(off.ranOn).toBe("worker");
    const here = loadConfigSync(file, options);
    expect(off.result).toEqual(here);
    expect(structuredClone(here)).toEqual(here); // nothing in a Config that a clone would lose
  });

  test("problems come back positioned, as on the main thread", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "version: 1\nservices:\n  a: { command: x, port: eighty }\n");
    const off = await loadConfigOffThread(file, { env: {} });
    expect(off.ranOn).toBe("worker");
    expect(off.result).toEqual(loadConfigSync(file, { env: {} }));
    expect(off.result.config).toBeUndefined();
  });

  test("when no worker can start, the load runs here and says why", async () => {
    const file = join(dir, "good.yaml");
    writeFileSync(file, MANIFEST);
    const off = await loadConfigOffThread(file, { env: {} }, [join(dir, "no-such-worker.ts")]);
    expect(off.ranOn).toBe("main-thread");
    expect(off.fallbackReason).toContain("no-such-worker.ts");
    expect(off.result).toEqual(loadConfigSync(file, { env: {} }));
  });
});
