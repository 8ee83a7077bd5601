/** Merges what discovery found with the manifest's `services` entries, remembering where each key came from. */
import type { DependencyCondition } from "../contract/states";
import type { RawService } from "./schema";
import type { DiscoveredService } from "./discover";
import type { PathSegment } from "./issues";
import type { SourceFile } from "./source";

export interface Origin {
  source: () => SourceFile;
  path: PathSegment[];
}

export interface ServiceDraft {
  name: string;
  spec: RawService;
  discovered?: DiscoveredService;
  inManifest: boolean;
  /** Where each top-level key of `spec` was set. */
  origins: Partial<Record<keyof RawService | "service", Origin>>;
}

/** Keys whose object values merge one level deep (manifest wins per inner key). */
const NESTED: (keyof RawService)[] = ["env", "restart", "shutdown"];

export function mergeServices(
  discovered: DiscoveredService[],
  fields: Map<string, Partial<RawService>>,
  manifestServices: Record<string, RawService>,
  manifest: SourceFile,
): ServiceDraft[] {
  const drafts = new Map<string, ServiceDraft>();
  const discoveredNames = new Set(discovered.map((d) => d.name));
  for (const d of discovered) drafts.set(d.name, draftFromDiscovery(d, fields.get(d.name) ?? {}, discoveredNames));
  for (const [name, spec] of Object.entries(manifestServices)) {
    const base = drafts.get(name);
    const manifestOrigin = (key?: string): Origin => ({ source: () => manifest, path: key ? ["services", name, key] : ["services", name] });
    const draft: ServiceDraft = base ?? { name, spec: {}, inManifest: true, origins: {} };
    draft.inManifest = true;
    draft.origins.service = manifestOrigin();
    for (const [key, value] of Object.entries(spec) as [keyof RawService, unknown][]) {
      const current = draft.spec[key];
      const merged =
        NESTED.includes(key) && isObject(current) && isObject(value) ? { ...current, ...value } : value;
      (draft.spec as Record<string, unknown>)[key] = merged;
      draft.origins[key] = manifestOrigin(key);
    }
    drafts.set(name, draft);
  }
  return [...drafts.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function draftFromDiscovery(d: DiscoveredService, field: Partial<RawService>, names: Set<string>): ServiceDraft {
  const pkg = (path: PathSegment[]): Origin => ({ source: d.source, path });
  const spec: RawService = { cwd: d.dir };
  const origins: ServiceDraft["origins"] = { service: pkg(["name"]), cwd: pkg(["name"]) };
  if (d.script !== undefined) {
    spec.command = d.script;
    origins.command = pkg(["scripts", "start"]);
  }
  if (d.port !== undefined) {
    spec.port = d.port;
    origins.port = pkg(d.portPath ?? []);
  }
  for (const [key, value] of Object.entries(field) as [keyof RawService, unknown][]) {
    (spec as Record<string, unknown>)[key] = value;
    origins[key] = pkg(["orchestrator", key]);
  }
  // package.json dependencies that name another discovered service are edges too.
  const fromPackage = d.packageDependencies.filter((dep) => names.has(dep) && dep !== d.name);
  if (fromPackage.length > 0) {
    const declared = normalizeDeps(spec.dependsOn);
    for (const dep of fromPackage) if (!(dep in declared)) declared[dep] = "healthy";
    spec.dependsOn = declared;
    origins.dependsOn ??= pkg(["dependencies"]);
  }
  return { name: d.name, spec, discovered: d, inManifest: false, origins };
}

export function normalizeDeps(deps: RawService["dependsOn"]): Record<string, DependencyCondition> {
  if (!deps) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((n) => [n, "healthy" as const]));
  return { ...deps };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
