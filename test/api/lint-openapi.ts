/**
 * The two checks an OpenAPI document must pass: Redocly's linter, with the repository's
 * redocly.yaml (recommended-strict and more), run from node_modules/.bin (nothing downloaded),
 * and @seriousme/openapi-schema-validator (the document against the OpenAPI JSON Schema).
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/binary-run";

export const REDOCLY = join(ROOT, "node_modules/.bin/redocly");
export const REDOCLY_CONFIG = join(ROOT, "redocly.yaml");

/** One problem as Redocly's `--format json` reports it. */
export interface LintProblem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  location: { pointer?: string }[];
}

export interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: LintProblem[];
  /** One line per problem, "severity rule pointer: message", for a failure that reads on its own. */
  lines: string[];
}

/** Lint `doc` with Redocly (`redocly lint --config redocly.yaml`). */
export async function lintOpenApi(doc: unknown, config = REDOCLY_CONFIG): Promise<LintReport> {
  const dir = mkdtempSync(join(tmpdir(), "openapi-lint-"));
  try {
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(doc, null, 2));
    const proc = Bun.spawn([REDOCLY, "lint", file, "--config", config, "--format", "json", "--max-problems", "10000"], {
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
      // no telemetry, no update check: the linter talks to nobody
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_UPDATE_NOTIFIER: "1" },
    });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    let report: Omit<LintReport, "lines">;
    try {
      report = JSON.parse(out) as Omit<LintReport, "lines">;
    } catch {
      throw new Error(`lintOpenApi: expected redocly to print a JSON report, it exited ${code} with:\n${out.slice(0, 2000)}\n${err.slice(-2000)}`);
    }
    const lines = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ""}: ${p.message}`);
    return { ...report, lines };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Validate `doc` against the OpenAPI JSON Schema of its version; the errors as text, empty when valid. */
export async function validateOpenApi(doc: Record<string, unknown>): Promise<{ version: string; errors: string[] }> {
  const validator = new Validator();
  const { valid, errors } = await validator.validate(structuredClone(doc));
  if (valid) return { version: validator.version, errors: [] };
  const listed = typeof errors === "string" ? [errors] : (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  return { version: validator.version, errors: listed.length > 0 ? listed : ["invalid, with no reason given"] };
}
