/**
 * The SPEC §13 keys of one service as container fields: `securityContext` for numeric ids,
 * `resources.limits.memory`, and `lifecycle.preStop` for the stop command. What a pod cannot
 * express goes to `notes` (the file's header).
 */
import type { ServiceConfig } from "../contract/config";
import type { ImageChoice } from "./images";
import { formatExactSize, type SizeUnit } from "../lib/exact-size";
import { describeLogs, describeProtection, describeRlimits, hasOwnLogs, hasOwnProtection, isNumericId } from "./process-facts";

/** Kubernetes quantities: binary (Gi, Mi, Ki) or decimal (G, M, k) suffixes, whichever is exact. */
const QUANTITIES: SizeUnit[] = [["Gi", 1024 ** 3], ["G", 1000 ** 3], ["Mi", 1024 ** 2], ["M", 1000 ** 2], ["Ki", 1024], ["k", 1000]];

/** The container fields for the service's account, memory ceiling and stop command. */
export function renderKubernetesProcess(service: ServiceConfig, choice: ImageChoice, notes: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const securityContext = renderSecurityContext(service, choice, notes);
  if (securityContext) out.securityContext = securityContext;
  if (service.limits.memoryBytes !== undefined) out.resources = { limits: { memory: formatExactSize(service.limits.memoryBytes, QUANTITIES) } };
  const command = service.shutdown.command;
  if (command !== undefined) {
    // The container's main process is pid 1 (no shared process namespace), the MAINPID the command gets.
    out.lifecycle = { preStop: { exec: { command: ["env", "MAINPID=1", "sh", "-c", command] } } };
    notes.push("shutdown.command runs as the preStop hook; the kubelet still sends SIGTERM when it returns");
  }
  noteKubernetesUnmapped(service, notes);
  return out;
}

// runAsUser / runAsGroup take numbers; a name would need the image's /etc/passwd, which the pod
// spec cannot consult: for an official image the export knows (SPEC §17) it writes that image's id.
function renderSecurityContext(service: ServiceConfig, choice: ImageChoice, notes: string[]): Record<string, number> | undefined {
  const context: Record<string, number> = {};
  for (const [key, field, value] of [["user", "runAsUser", service.user], ["group", "runAsGroup", service.group]] as const) {
    if (value === undefined) continue;
    const known = choice.profile?.uids[value];
    if (isNumericId(value)) context[field] = Number(value);
    else if (known !== undefined && choice.image) {
      context[field] = known;
      notes.push(`${key} ${value}: securityContext.${field} ${known}, the id ${value} has in ${choice.image}`);
    } else notes.push(`${key} ${value}: securityContext.${field} takes a numeric id, not a name; write the id the image gives it`);
  }
  return Object.keys(context).length > 0 ? context : undefined;
}

function noteKubernetesUnmapped(service: ServiceConfig, notes: string[]): void {
  const rlimits = describeRlimits(service);
  if (rlimits) notes.push(`limits ${rlimits}: a pod has no rlimits (the container runtime's defaults apply)`);
  if (service.umask !== undefined) notes.push(`umask ${service.umask}: a pod has no umask setting (set it in the image or the command)`);
  if (service.nice !== undefined) notes.push(`nice ${service.nice}: a pod has no scheduling priority setting`);
  if (service.pidFile !== undefined) notes.push("pidFile: Kubernetes supervises the container's main process only; run the daemon in the foreground");
  if (hasOwnLogs(service)) notes.push(`${describeLogs(service.logs)}: the kubelet rotates container logs node-wide (containerLogMaxSize, containerLogMaxFiles)`);
  if (hasOwnProtection(service)) notes.push(describeProtection(service, "Kubernetes"));
}
