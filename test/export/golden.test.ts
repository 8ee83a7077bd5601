import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { EXPORT_TARGETS, renderExport, type ExportFile, type ExportOptions, type ExportTarget } from "../../src/export";
import { loadConfigSync } from "../../src/manifest/load";
import type { Config } from "../../src/contract/config";
import { FIXTURE_DIR, makeFleet, makeOperatedFleet } from "./make-config";
import { loadRealFleet } from "./real-fleet";
import { composeErrors, parseDocuments, SYSTEMD_ANALYZE, validateKubernetesObject, verifyUnits } from "./validators";

// UPDATE_GOLDEN=1 bun test test/export rewrites the expected files instead of comparing.
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const GOLDEN = join(import.meta.dir, "golden");
const DEMO_MANIFEST = resolve(import.meta.dir, "../../orchestrator.yaml");

function checkGolden(dir: string, files: ExportFile[]): void {
  if (UPDATE) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true }); // a template instance's drop-in folder
      writeFileSync(join(dir, f.path), f.content);
    }
    return;
  }
  expect(existsSync(dir)).toBe(true); // missing: run with UPDATE_GOLDEN=1 and review the files
  expect(readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => statSync(join(dir, p)).isFile()).sort()).toEqual(files.map((f) => f.path).sort());
  for (const f of files) expect(f.content).toBe(readFileSync(join(dir, f.path), "utf8"));
}

const FIXTURE_OPTIONS: Record<ExportTarget, ExportOptions> = {
  compose: { fileExists: (p) => p === `${FIXTURE_DIR}/services/api/Dockerfile` },
  kubernetes: { namespace: "prod", fileExists: (p) => p === `${FIXTURE_DIR}/services/api/Dockerfile` },
  systemd: {},
};

describe("golden files: the fixture fleet", () => {
  for (const target of EXPORT_TARGETS) {
    test(`${target} matches test/export/golden/fixture/${target}`, () => {
      checkGolden(join(GOLDEN, "fixture", target), renderExport(target, makeFleet(), FIXTURE_OPTIONS[target]));
    });
  }
});

// The fleet of real software (SPEC §13 keys): its own goldens, so the older ones show that
// a manifest using none of the new keys exports exactly as before.
describe("golden files: the operated fleet (user, limits, stop command, pid file, logs)", () => {
  for (const target of EXPORT_TARGETS) {
    test(`${target} matches test/export/golden/operated/${target}`, () => {
      checkGolden(join(GOLDEN, "operated", target), renderExport(target, makeOperatedFleet(), target === "kubernetes" ? { namespace: "ops" } : {}));
    });
  }
});

// SPEC §17: the fleet of docs/RECIPES.md, as an operator would export it; the files pass the engines' own checks.
describe("golden files: the real fleet (docs/RECIPES.md: postgres, redis, app, nginx)", () => {
  const config = loadRealFleet();
  for (const target of EXPORT_TARGETS) {
    test(`${target} matches test/export/golden/real/${target}`, () => {
      checkGolden(join(GOLDEN, "real", target), renderExport(target, config, target === "kubernetes" ? { namespace: "shop" } : {}));
    });
  }

  test("they pass Compose's schema and the Kubernetes models", () => {
    const [compose] = renderExport("compose", config);
    expect(composeErrors(parseDocuments(compose.content)[0])).toEqual([]);
    for (const file of renderExport("kubernetes", config, { namespace: "shop" })) {
      for (const object of parseDocuments(file.content)) expect(() => validateKubernetesObject(object)).not.toThrow();
    }
  });

  test.skipIf(!SYSTEMD_ANALYZE)("its units pass systemd-analyze verify", () => {
    expect(verifyUnits(renderExport("systemd", config, { binaryPath: "/bin/sh" })).output).toBe("");
  });
});

async function loadDemo(): Promise<Config> {
  const { config, issues } = loadConfigSync(DEMO_MANIFEST, { env: {}, checkCommands: false });
  if (!config) throw new Error(`the demo manifest does not load:\n${issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join("\n")}`);
  return config;
}

describe.skipIf(!existsSync(DEMO_MANIFEST))("golden files: the demo fleet (orchestrator.yaml)", () => {
  for (const target of EXPORT_TARGETS) {
    test(`${target} matches test/export/golden/demo/${target}`, async () => {
      checkGolden(join(GOLDEN, "demo", target), renderExport(target, await loadDemo()));
    });
  }

  test("the demo's exports pass Compose's schema and the Kubernetes models", async () => {
    const config = await loadDemo();
    const [compose] = renderExport("compose", config);
    expect(composeErrors(parseDocuments(compose.content)[0])).toEqual([]);
    for (const file of renderExport("kubernetes", config, { namespace: "azora" })) {
      for (const object of parseDocuments(file.content)) expect(() => validateKubernetesObject(object)).not.toThrow();
    }
  });

  test.skipIf(!SYSTEMD_ANALYZE)("the demo's units pass systemd-analyze verify", async () => {
    const result = verifyUnits(renderExport("systemd", await loadDemo(), { binaryPath: "/bin/sh" }));
    expect(result.output).toBe("");
  });
});

// A copy of the fixture fleet living somewhere else: every absolute path moved.
function moveFleet(config: Config, to: string): Config {
  const move = (p: string) => p.replace(FIXTURE_DIR, to);
  return {
    ...config,
    file: move(config.file),
    dir: to,
    stateDir: move(config.stateDir),
    services: config.services.map((s) => ({ ...s, cwd: move(s.cwd), envFile: s.envFile && move(s.envFile) })),
  };
}

describe("determinism", () => {
  for (const target of EXPORT_TARGETS) {
    test(`${target}: the same manifest gives byte-identical files, wherever it lives and whatever its order`, () => {
      const once = renderExport(target, makeFleet());
      expect(renderExport(target, makeFleet())).toEqual(once);
      const shuffled = makeFleet();
      shuffled.services.reverse();
      expect(renderExport(target, shuffled)).toEqual(once);
      expect(renderExport(target, moveFleet(makeFleet(), "/srv/elsewhere/checkout"))).toEqual(once);
    });
  }
});
