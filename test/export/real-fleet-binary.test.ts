/**
 * The compiled binary exports the real fleet of docs/RECIPES.md as an unprivileged user on a
 * PATH with none of its programs (export reads the manifest only: no root, no postgres,
 * redis-server or nginx), and writes exactly the golden files.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, ensureBinary } from "../helpers/binary-run";
import { readRecipes } from "../real/recipes";
import { realFleetManifest } from "./real-fleet";

const NOBODY = 65534;
const SETPRIV = Bun.which("setpriv");
const asRoot = process.geteuid?.() === 0 && SETPRIV !== null;
const dir = mkdtempSync(join(tmpdir(), "export-real-binary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!asRoot)("the binary exports the real fleet without root or its programs", () => {
  for (const target of ["compose", "kubernetes", "systemd"] as const) {
    test(`export ${target} as nobody matches test/export/golden/real/${target}`, () => {
      ensureBinary();
      chmodSync(dir, 0o755);
      mkdirSync(join(dir, "app"), { recursive: true });
      writeFileSync(join(dir, "app/server.ts"), readRecipes().files.get("app/server.ts")!);
      writeFileSync(join(dir, "orchestrator.yaml"), realFleetManifest());
      const out = join(dir, `out-${target}`);
      mkdirSync(out);
      chownSync(out, NOBODY, NOBODY);
      const args = target === "kubernetes" ? ["--namespace", "shop"] : [];
      const run = Bun.spawnSync([SETPRIV!, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", BINARY, "export", target, "-c", join(dir, "orchestrator.yaml"), "-o", out, ...args], {
        env: { PATH: "/nonexistent", APP_DIR: join(dir, "app"), HOME: dir },
        stdout: "pipe",
        stderr: "pipe",
        timeout: 30_000,
      });
      expect({ code: run.exitCode, stderr: run.stderr.toString() }).toEqual({ code: 0, stderr: "" });
      const golden = join(import.meta.dir, "golden/real", target);
      expect(readdirSync(out).sort()).toEqual(readdirSync(golden).sort());
      for (const name of readdirSync(golden)) expect(readFileSync(join(out, name), "utf8")).toBe(readFileSync(join(golden, name), "utf8"));
    });
  }
});
