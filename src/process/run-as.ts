/**
 * The exec chain that starts a program as another user, with a umask, a nice value and
 * rlimits, keeping its pid: each link changes one thing and execs the next (see
 * lib/run-as-tools.ts for why a chain). Root-only changes come first, while the chain is
 * still root: `prlimit` (may raise a hard limit), `nice` (may lower the nice value), then
 * `setpriv` drops to the account (real, effective and saved ids, supplementary groups), and
 * `sh -c 'umask …'` last. Signals sent to the pid reach the program itself once it runs:
 * every link execs, none forks or relays.
 */
import { OrchestratorError } from "../contract/errors";
import { currentIdentity, describeMissingTool, findTool, toolsNeeded, type Identity, type RunAs, type RunAsTool } from "../lib/run-as-tools";

export type { RunAs } from "../lib/run-as-tools";

/** A tool the chain needs is not installed: the spawn fails with this message. */
export class RunAsToolMissingError extends OrchestratorError {
  override readonly code = "RUN_AS_TOOL_MISSING";
  override readonly status = 500;
  override readonly name = "RunAsToolMissingError";
  constructor(readonly tool: RunAsTool) {
    super(`the exec chain needs ${describeMissingTool(tool)}`);
  }
}

/** True when `runAs` changes anything at all, so the program cannot be exec'd directly. */
export function needsChain(runAs: RunAs | undefined, self: Identity = currentIdentity()): boolean {
  return runAs !== undefined && (runAs.umask !== undefined || toolsNeeded(runAs, self).length > 0);
}

/**
 * `argv` (its program already resolved to a path) with the chain in front. Throws
 * RunAsToolMissingError when a link's program is not installed.
 */
export function wrapArgv(argv: readonly string[], runAs: RunAs, self: Identity = currentIdentity()): string[] {
  const chain: string[] = [];
  for (const tool of toolsNeeded(runAs, self)) {
    const path = findTool(tool);
    if (!path) throw new RunAsToolMissingError(tool);
    chain.push(path, ...toolArguments(tool, runAs, self));
  }
  if (runAs.umask !== undefined) chain.push("/bin/sh", "-c", `umask ${runAs.umask} && exec "$0" "$@"`);
  return [...chain, ...argv];
}

function toolArguments(tool: RunAsTool, runAs: RunAs, self: Identity): string[] {
  switch (tool) {
    case "prlimit": {
      // one value sets the soft and the hard limit alike
      const limits = runAs.limits ?? {};
      const set = (["nofile", "nproc", "core"] as const).filter((key) => limits[key] !== undefined);
      return [...set.map((key) => `--${key}=${limits[key]}`), "--"];
    }
    case "nice":
      // nice(1) adds to the current value; the manifest's is absolute
      return ["-n", String(runAs.nice! - self.nice)];
    case "setpriv": {
      const { uid, gid, groups } = runAs.account!;
      return [`--reuid=${uid}`, `--regid=${gid}`, groups.length > 0 ? `--groups=${groups.join(",")}` : "--clear-groups", "--"];
    }
  }
}

/** HOME, USER and LOGNAME for an account; the caller lets the manifest's own values win. */
export function accountEnv(account: { user: string; home: string }): Record<string, string> {
  return { HOME: account.home, USER: account.user, LOGNAME: account.user };
}
