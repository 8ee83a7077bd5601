/**
 * .ci/run's last line is "N passed, N failed" with real counts, and a run that breaks before
 * bun can count says why. The real script runs in a tmp copy of the repo's layout; npm and
 * bun are small stand-ins that print what the real ones print (the suite itself is not run).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");
const dir = mkdtempSync(join(tmpdir(), "orch-ci-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BUN_SUMMARY = (pass: number, fail: number) => `printf ' ${pass} pass\\n ${fail} fail\\nRan ${pass + fail} tests across 3 files. [1.00s]\\n' >&2; exit ${fail > 0 ? 1 : 0}`;
const TYPE_ERROR = `echo "src/app/port.ts(21,3): error TS2322: Type 'string' is not assignable to type 'number'."; exit 2`;

/** Lay out a repo whose `npm test` does `npmTest` and whose node_modules/.bin/bun does `bunTest`; run .ci/run there. */
function runCi(name: string, npmTest: string, bunTest = "echo 'bun test should not run here' >&2; exit 99") {
  const repo = join(dir, name);
  const bin = join(repo, "stub-bin");
  for (const d of [join(repo, ".ci"), join(repo, "node_modules/.bin"), bin]) mkdirSync(d, { recursive: true });
  copyFileSync(join(ROOT, ".ci/run"), join(repo, ".ci/run"));
  const script = (path: string, body: string) => (writeFileSync(path, `#!/bin/sh\n${body}\n`), chmodSync(path, 0o755));
  script(join(bin, "npm"), `case "$1" in install) echo "up to date";; test) ${npmTest};; esac`);
  script(join(repo, "node_modules/.bin/bun"), `[ "$1" = test ] && { ${bunTest}; }`);
  // present, so the script installs nothing
  for (const tool of ["chromium", "systemd-analyze"]) script(join(bin, tool), "exit 0");
  const result = Bun.spawnSync(["bash", join(repo, ".ci/run")], { env: { PATH: `${bin}:/usr/bin:/bin` }, stdout: "pipe", stderr: "pipe" });
  const out = result.stdout.toString().trimEnd().split("\n");
  return { code: result.exitCode, lines: out, last: out.at(-1) };
}

describe(".ci/run", () => {
  test("passes bun's counts through", () => {
    expect(runCi("green", BUN_SUMMARY(12, 0))).toMatchObject({ code: 0, last: "12 passed, 0 failed" });
    expect(runCi("red", BUN_SUMMARY(10, 2))).toMatchObject({ code: 1, last: "10 passed, 2 failed" });
  });

  test("a failing type check fails CI with a line saying so, and the suite's real counts plus the type check", () => {
    const r = runCi("types", TYPE_ERROR, BUN_SUMMARY(9, 0));
    expect(r.code).toBe(2);
    expect(r.lines).toContain("ci: FAILED: the type check (tsc --noEmit) found 1 type error(s), listed above; bun test did not run, running it now for the counts");
    expect(r.last).toBe("9 passed, 1 failed");
  });

  test("a run that breaks before bun can count (the build) fails with a line saying so", () => {
    const r = runCi("build", "echo 'error: Could not resolve: \"./nope\"'; exit 1");
    expect(r.code).toBe(1);
    expect(r.lines).toContain("ci: FAILED: npm test stopped (exit 1) before bun test could count anything; see above");
    expect(r.last).toBe("0 passed, 1 failed");
  });
});
