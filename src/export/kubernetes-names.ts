/** A DNS-1123 label (lower-case letters, digits, `-`, at most 63), as object names need. */
export function toDnsLabel(name: string): string {
  const label = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
  return label === "" ? "service" : label;
}

/** Kubernetes expands `$(VAR)` in env values and args; `$$(` keeps it literal. */
export function escapeKubernetesRefs(text: string): string {
  return text.replaceAll("$(", "$$(");
}

/** The labels every object of one service carries; also its selector. */
export function serviceLabels(project: string, service: string): Record<string, string> {
  return { "app.kubernetes.io/name": toDnsLabel(service), "app.kubernetes.io/part-of": toDnsLabel(project) };
}
