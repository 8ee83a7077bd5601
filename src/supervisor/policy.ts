/** What an exit means under a restart policy (SPEC §8, §9): a completed one-shot, a restart, or giving up. */
import type { Exit } from "../process/spawner";
import type { ServiceConfig } from "../contract/config";

export type ExitVerdict = "complete" | "restart" | "give-up";

/** Whether the exit was clean: code 0, not a signal, not a spawn error. */
export function isCleanExit(exit: Exit): boolean {
  return exit.reason === "exited" && exit.code === 0;
}

/**
 * Decide what an unrequested exit leads to (SPEC §8): only `always` restarts a clean exit;
 * under `on-failure` and `never` exit code 0 means the service completed.
 */
export function judgeExit(service: Pick<ServiceConfig, "restart">, exit: Exit): ExitVerdict {
  const policy = service.restart.policy;
  if (isCleanExit(exit) && policy !== "always") return "complete";
  if (policy === "never") return "give-up";
  return "restart";
}

/** A failure that is not an exit (failed start, unhealthy): `never` gives up, the others restart. */
export function judgeFailure(service: Pick<ServiceConfig, "restart">): ExitVerdict {
  return service.restart.policy === "never" ? "give-up" : "restart";
}

/** A short human reason for an exit, e.g. "exited with code 1", "killed by SIGSEGV". */
export function describeExit(exit: Exit): string {
  if (exit.reason === "spawn-error") return `could not start: ${exit.error ?? "spawn error"}`;
  if (exit.reason === "signaled") return `killed by ${exit.signal ?? "a signal"}`;
  if (exit.code === null && exit.error) return `exited (${exit.error})`;
  return `exited with code ${exit.code ?? "?"}`;
}
