/** Shared by the manifest tests: throwaway directories and issues as the lines `check` prints. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { formatIssue } from "../../src/manifest/issues";
import type { Issue } from "../../src/contract/actions";
import { loadText, type LoadOptions, type LoadResult } from "../../src/manifest/load";

const made: string[] = [];

/** Removes every directory made so far; each test file calls it from `afterAll`. */
export function removeTrees(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh directory (see removeTrees). `files` maps relative paths to contents. */
export function makeTree(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "orchestrator-test-"));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) writeFile(join(dir, path), text);
  return dir;
}

export function writeFile(path: string, text: string, executable = false): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  if (executable) chmodSync(path, 0o755);
}

export const packageJson = (fields: Record<string, unknown>): string => JSON.stringify(fields, null, 2) + "\n";

export interface Loaded extends LoadResult {
  /** Every issue as `check` prints it, relative to the manifest's directory. */
  lines: string[];
  dir: string;
}

/** Loads `yaml` as `<dir>/orchestrator.yaml` (dir: a fresh empty one unless given); commands are not looked up unless asked. */
export function load(yaml: string, options: LoadOptions & { dir?: string } = {}): Loaded {
  const dir = options.dir ?? makeTree();
  const env = options.env ?? { PATH: "/usr/bin:/bin" };
  const result = loadText(join(dir, "orchestrator.yaml"), yaml, { env, checkCommands: options.checkCommands ?? false, checkHost: options.checkHost, checkPortsFree: options.checkPortsFree });
  return { ...result, dir, lines: lines(result.issues, dir) };
}

export function lines(issues: readonly Issue[], dir: string): string[] {
  return issues.map((issue) => formatIssue(issue, dir));
}

/** `version: 1` plus one service `a` with the given extra lines (indented under it). */
export function serviceA(...extra: string[]): string {
  return ["version: 1", "services:", "  a:", "    command: x", ...extra.map((l) => `    ${l}`), ""].join("\n");
}
