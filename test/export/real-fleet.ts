/**
 * The real fleet of docs/RECIPES.md (PostgreSQL with its one-shot init, Redis, a Bun app,
 * nginx) as a manifest the exports read: the recipes' own blocks, with their default values
 * (no env but APP_DIR, the app's checkout next to the manifest), loaded as `export` loads it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../../src/contract/config";
import { loadConfigSync } from "../../src/manifest/load";
import { readRecipes } from "../real/recipes";

export const REAL_FLEET = ["postgres", "redis", "app", "nginx"] as const;

/** The manifest text: header + `services:` + the recipes indented, as writeRealFleet composes it. */
export function realFleetManifest(): string {
  const { recipes } = readRecipes();
  const body = REAL_FLEET.map((name) => recipes.get(name)!.replace(/^(?=.)/gm, "  "));
  return `${recipes.get("header")!}services:\n${body.join("")}`;
}

/** Loads the real fleet from a throwaway checkout (orchestrator.yaml + app/server.ts), then removes it; `env` sets the recipes' variables. */
export function loadRealFleet(env: Record<string, string> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), "export-real-fleet-"));
  try {
    mkdirSync(join(dir, "app"));
    writeFileSync(join(dir, "app/server.ts"), readRecipes().files.get("app/server.ts")!);
    writeFileSync(join(dir, "orchestrator.yaml"), realFleetManifest());
    const { config, issues } = loadConfigSync(join(dir, "orchestrator.yaml"), { env: { APP_DIR: join(dir, "app"), ...env }, checkCommands: false, checkHost: false });
    if (!config) throw new Error(`the real fleet does not load:\n${issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join("\n")}`);
    return config;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
