import type { Config, ServiceConfig } from "../contract/config";
import { toSeconds } from "./format-duration";
import { escapeKubernetesRefs, serviceLabels, toDnsLabel } from "./kubernetes-names";
import { renderKubernetesProbes } from "./kubernetes-probes";
import { renderKubernetesProcess } from "./kubernetes-process";
import { joinYamlDocuments, renderYaml } from "./render-yaml";
import { dataVolumes, loopbackNote, sharedDataPaths, unmountedPaths } from "./host-paths";
import { chooseImage, describeImageChoice, type ImageChoice } from "./images";
import { isNumericId } from "./process-facts";
import { commandArgv, relativePath, serviceEnvironment } from "./service-facts";
import { planExport, splitDependencies } from "./service-order";
import type { ExportFile, KubernetesOptions } from "./types";
import { renderHeader } from "./unmapped";

const WAIT_IMAGE = "busybox:1.36";

/** Renders a Deployment (a StatefulSet with `data`) and a Service when it has a port (headless with `data`) per enabled service, plus the Namespace when one is given. */
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
  const shared = sharedDataPaths(plan.services);
  for (const service of plan.services) {
    const notes: string[] = [];
    for (const path of service.data ?? []) {
      const others = shared.get(path)?.filter((name) => name !== service.name);
      if (others?.length) notes.push(`data ${path} is also ${others.join(", ")}'s: each StatefulSet gets claims of its own, so they do not share it; run them in one pod (a one-shot as an init container) to share it`);
    }
    const chosen: string[] = [];
    const choice = chooseImage(service, options.fileExists);
    const workload = renderWorkload(config, service, options, { ports, exported: plan.services.map((s) => s.name), notes, chosen, choice });
    const docs = [workload];
    const stateful = dataVolumes(service).length > 0;
    if (service.port !== undefined || stateful) docs.push(renderService(config, service, options.namespace, stateful));
    const prefix = (lines: string[]) => lines.map((n) => `${service.name}: ${n}`);
    const content = renderHeader(config, "kubernetes", usage, prefix(notes), prefix(chosen)) + joinYamlDocuments(docs.map((d) => renderYaml(d)));
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

interface WorkloadContext {
  ports: ReadonlyMap<string, number>;
  exported: string[];
  /** Header lines: what does not map or needs a human, and what the export chose. */
  notes: string[];
  chosen: string[];
  choice: ImageChoice;
}

// SPEC §17: a service with `data` is a StatefulSet (one claim per path, a headless Service);
// the rest are Deployments. Either way `spec.replicas` is where a replica count goes.
function renderWorkload(config: Config, service: ServiceConfig, options: KubernetesOptions, ctx: WorkloadContext): Record<string, unknown> {
  const { notes } = ctx;
  const labels = serviceLabels(config.name, service.name);
  const podSpec: Record<string, unknown> = { terminationGracePeriodSeconds: toSeconds(service.shutdown.timeoutMs) };
  const initContainers = renderWaits(service, ctx.ports, new Set(ctx.exported), notes);
  if (initContainers.length > 0) podSpec.initContainers = initContainers;
  const container = renderContainer(config, service, ctx);
  podSpec.containers = [container];
  const volumes = renderClaims(service, ctx, container, podSpec);
  if (service.shutdown.signal !== "SIGTERM") notes.push(`Kubernetes stops containers with SIGTERM, not ${service.shutdown.signal}`);
  const kind = volumes ? "StatefulSet" : "Deployment";
  if (service.restart.policy === "never") notes.push(`restart policy never: a ${kind} always restarts its pod`);
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: {
      ...metadata(config, service, options.namespace),
      annotations: { "orchestrator/phase": `${service.phase} ${service.phaseName}`, "orchestrator/critical": String(service.critical) },
    },
    spec: {
      ...(volumes ? { serviceName: toDnsLabel(service.name) } : {}),
      replicas: service.replicas ?? 1,
      ...renderStrategy(service),
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: podSpec },
      ...(volumes ? { volumeClaimTemplates: volumes } : {}),
    },
  };
}

// SPEC §15 `update` is a RollingUpdate; the Service in front of the pods plays the proxy's part.
function renderStrategy(service: ServiceConfig): Record<string, unknown> {
  if (!service.update || (!service.proxy && (service.replicas ?? 1) === 1)) return {};
  const { maxSurge, maxUnavailable } = service.update;
  return { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge, maxUnavailable } } };
}

const CLAIM_SIZE = "1Gi";

/** One volumeClaimTemplate per `data` path, mounted at that path; fsGroup so the service's user can write the fresh volume. */
function renderClaims(service: ServiceConfig, ctx: WorkloadContext, container: Record<string, unknown>, podSpec: Record<string, unknown>): Record<string, unknown>[] | undefined {
  const volumes = dataVolumes(service);
  if (volumes.length === 0) return undefined;
  container.volumeMounts = volumes.map((v) => ({ name: v.name, mountPath: v.path }));
  const names = volumes.map((v) => v.name).join(", ");
  ctx.chosen.push(`a StatefulSet: each data path is a volumeClaimTemplate (${names}) of ${CLAIM_SIZE}, ReadWriteOnce, from the default StorageClass: size them before applying`);
  const gid = fsGroupOf(service, ctx.choice);
  if (gid !== undefined) podSpec.securityContext = { fsGroup: gid };
  else if (service.user !== undefined) ctx.notes.push(`the volumes start owned by root, and ${service.user} has no numeric id here: set securityContext.fsGroup to its gid so it can write them`);
  return volumes.map((v) => ({ metadata: { name: v.name }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: CLAIM_SIZE } } } }));
}

// The group the volume is given to: the manifest's numeric group, else the user's uid (the
// official images give each of their users a group with the same id).
function fsGroupOf(service: ServiceConfig, choice: ImageChoice): number | undefined {
  if (service.group !== undefined && isNumericId(service.group)) return Number(service.group);
  if (service.user === undefined) return undefined;
  return isNumericId(service.user) ? Number(service.user) : choice.profile?.uids[service.user];
}

function renderContainer(config: Config, service: ServiceConfig, ctx: WorkloadContext): Record<string, unknown> {
  const { notes, choice } = ctx;
  const built = `${toDnsLabel(config.name)}/${toDnsLabel(service.name)}:latest`;
  const image = choice.source === "manifest" || choice.source === "server" ? choice.image! : built;
  const cwd = relativePath(config, service.cwd);
  if (choice.source === "server") ctx.chosen.push(describeImageChoice(choice));
  else if (choice.source === "dockerfile") notes.push(`image ${image} is not published: docker build -t ${image} ${cwd}, then push it`);
  else if (choice.source === "runtime") notes.push(`image ${image} does not exist: build one from ${choice.image} with the code of ${cwd}, or set \`image\``);
  else if (choice.source === "none") notes.push(`NEEDS AN IMAGE: ${choice.program || "its program"} is no well-known server or runtime: build ${image} with it, or set \`image\``);
  if (choice.source === "server" || choice.source === "manifest") notes.push(...unmountedPaths(config, service, service.data ?? []));
  notes.push(...loopbackNote(service));
  const container: Record<string, unknown> = { name: toDnsLabel(service.name), image, args: commandArgv(service).map(escapeKubernetesRefs) };
  const env = serviceEnvironment(service);
  if (env.length > 0) container.env = env.map(([name, value]) => ({ name, value: escapeKubernetesRefs(value) }));
  if (service.envFile) {
    const map = `${toDnsLabel(service.name)}-env`;
    container.envFrom = [{ configMapRef: { name: map } }];
    notes.push(`envFile: create the ConfigMap first: kubectl create configmap ${map} --from-env-file=${relativePath(config, service.envFile)}`);
  }
  if (service.port !== undefined) container.ports = [{ name: "service", containerPort: service.port, protocol: "TCP" }];
  return { ...container, ...renderKubernetesProbes(service, choice, notes), ...renderKubernetesProcess(service, choice, notes) };
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

// A StatefulSet's Service is headless (clusterIP None): its name resolves to the pods themselves.
function renderService(config: Config, service: ServiceConfig, namespace: string | undefined, headless: boolean): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(config, service, namespace),
    spec: {
      ...(headless ? { clusterIP: "None" } : {}),
      selector: serviceLabels(config.name, service.name),
      ...(service.port === undefined ? {} : { ports: [{ name: "service", port: service.port, targetPort: service.port, protocol: "TCP" }] }),
    },
  };
}
