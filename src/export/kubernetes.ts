import type { Config, ServiceConfig } from "../contract/config";
import { toSeconds } from "./format-duration";
import { escapeKubernetesRefs, serviceLabels, toDnsLabel } from "./kubernetes-names";
import { renderKubernetesProbes } from "./kubernetes-probes";
import { renderKubernetesProcess } from "./kubernetes-process";
import { joinYamlDocuments, renderYaml } from "./render-yaml";
import { commandArgv, defaultImage, hasDockerfile, relativePath, serviceEnvironment } from "./service-facts";
import { planExport, splitDependencies } from "./service-order";
import type { ExportFile, KubernetesOptions } from "./types";
import { renderHeader } from "./unmapped";

const WAIT_IMAGE = "busybox:1.36";

/** Renders a Deployment (and a Service when it has a port) per enabled service, plus the Namespace when one is given. */
export function renderKubernetes(config: Config, options: KubernetesOptions = {}): ExportFile[] {
  const plan = planExport(config);
  const ports = new Map(plan.services.filter((s) => s.port !== undefined).map((s) => [s.name, s.port!]));
  const files: ExportFile[] = [];
  const usage = ["Apply the directory: kubectl apply -f <this directory>"];
  if (options.namespace) {
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: options.namespace } };
    const skipped = plan.skipped.length ? [`disabled services, not exported: ${plan.skipped.join(", ")}`] : [];
    files.push({ path: "namespace.yaml", content: renderHeader(config, "kubernetes", usage, skipped) + joinYamlDocuments([renderYaml(ns)]) });
  }
  for (const service of plan.services) {
    const notes: string[] = [];
    const deployment = renderDeployment(config, service, options, ports, plan.services.map((s) => s.name), notes);
    const docs = [deployment];
    if (service.port !== undefined) docs.push(renderService(config, service, options.namespace));
    const content = renderHeader(config, "kubernetes", usage, notes.map((n) => `${service.name}: ${n}`)) + joinYamlDocuments(docs.map((d) => renderYaml(d)));
    files.push({ path: `${toDnsLabel(service.name)}.yaml`, content });
  }
  return files;
}

function metadata(config: Config, service: ServiceConfig, namespace: string | undefined): Record<string, unknown> {
  return {
    name: toDnsLabel(service.name),
    ...(namespace ? { namespace } : {}),
    labels: serviceLabels(config.name, service.name),
  };
}

function renderDeployment(
  config: Config,
  service: ServiceConfig,
  options: KubernetesOptions,
  ports: ReadonlyMap<string, number>,
  exported: string[],
  notes: string[],
): Record<string, unknown> {
  const labels = serviceLabels(config.name, service.name);
  const podSpec: Record<string, unknown> = { terminationGracePeriodSeconds: toSeconds(service.shutdown.timeoutMs) };
  const initContainers = renderWaits(service, ports, new Set(exported), notes);
  if (initContainers.length > 0) podSpec.initContainers = initContainers;
  podSpec.containers = [renderContainer(config, service, options, notes)];
  if (service.shutdown.signal !== "SIGTERM") notes.push(`Kubernetes stops containers with SIGTERM, not ${service.shutdown.signal}`);
  if (service.restart.policy === "never") notes.push("restart policy never: a Deployment always restarts its pod");
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      ...metadata(config, service, options.namespace),
      annotations: { "orchestrator/phase": `${service.phase} ${service.phaseName}`, "orchestrator/critical": String(service.critical) },
    },
    spec: { replicas: service.replicas ?? 1, ...renderStrategy(service), selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
  };
}

// SPEC §15 `update` is a RollingUpdate; the Service in front of the pods plays the proxy's part.
function renderStrategy(service: ServiceConfig): Record<string, unknown> {
  if (!service.update || (!service.proxy && (service.replicas ?? 1) === 1)) return {};
  const { maxSurge, maxUnavailable } = service.update;
  return { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge, maxUnavailable } } };
}

function renderContainer(config: Config, service: ServiceConfig, options: KubernetesOptions, notes: string[]): Record<string, unknown> {
  const image = service.image ?? `${toDnsLabel(config.name)}/${toDnsLabel(service.name)}:latest`;
  const cwd = relativePath(config, service.cwd);
  if (!service.image) {
    notes.push(
      hasDockerfile(service, options.fileExists)
        ? `image ${image} is not published: docker build -t ${image} ${cwd}, then push it`
        : `image ${image} does not exist: build one from ${defaultImage(service)} with the code of ${cwd}, or set \`image\``,
    );
  }
  const container: Record<string, unknown> = { name: toDnsLabel(service.name), image, args: commandArgv(service).map(escapeKubernetesRefs) };
  const env = serviceEnvironment(service);
  if (env.length > 0) container.env = env.map(([name, value]) => ({ name, value: escapeKubernetesRefs(value) }));
  if (service.envFile) {
    const map = `${toDnsLabel(service.name)}-env`;
    container.envFrom = [{ configMapRef: { name: map } }];
    notes.push(`envFile: create the ConfigMap first: kubectl create configmap ${map} --from-env-file=${relativePath(config, service.envFile)}`);
  }
  if (service.port !== undefined) container.ports = [{ name: "service", containerPort: service.port, protocol: "TCP" }];
  return { ...container, ...renderKubernetesProbes(service, notes), ...renderKubernetesProcess(service, notes) };
}

// Each dependency gets an init container that waits until its Service accepts connections;
// a Service only routes to ready pods, so this waits for `healthy` and is stricter for `started`.
function renderWaits(service: ServiceConfig, ports: ReadonlyMap<string, number>, exported: ReadonlySet<string>, notes: string[]): Record<string, unknown>[] {
  const { kept, dropped } = splitDependencies(service, exported);
  for (const d of dropped) notes.push(`depends on ${d.name}, which is not exported (disabled or unknown)`);
  const waits: Record<string, unknown>[] = [];
  for (const dep of kept) {
    const port = ports.get(dep.name);
    const host = toDnsLabel(dep.name);
    if (dep.condition === "completed") notes.push(`waits for ${dep.name} to complete: Kubernetes cannot; run it as a Job`);
    else if (port === undefined) notes.push(`cannot wait for ${dep.name}: it has no port, so no Service`);
    else {
      if (dep.condition === "started") notes.push(`waits for ${dep.name} to start: the init container waits until it is ready`);
      const script = `until nc -z -w 2 ${host} ${port}; do echo waiting for ${host}:${port}; sleep 2; done`;
      waits.push({ name: `wait-for-${host}`.slice(0, 63), image: WAIT_IMAGE, command: ["sh", "-c", script] });
    }
  }
  return waits;
}

function renderService(config: Config, service: ServiceConfig, namespace: string | undefined): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(config, service, namespace),
    spec: {
      selector: serviceLabels(config.name, service.name),
      ports: [{ name: "service", port: service.port!, targetPort: service.port!, protocol: "TCP" }],
    },
  };
}
