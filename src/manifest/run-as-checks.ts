/**
 * `check`'s view of what a service starts with (SPEC §13 user, group, umask, nice, limits):
 * resolves `user`/`group` into the config's `account`, then says, before anything runs,
 * what the spawner's exec chain would fail on: a tool that is not installed, a limit above
 * the orchestrator's own hard limit without CAP_SYS_RESOURCE, a lower nice value without
 * CAP_SYS_NICE.
 */
import { readFileSync } from "node:fs";
import type { ServiceConfig } from "../contract/config";
import { currentIdentity, describeMissingTool, findTool, toolsNeeded, type Identity, type RunAsTool } from "../lib/run-as-tools";
import { AccountResolver } from "./accounts";

export interface RunAsProblem {
  key: "user" | "group" | "limits" | "nice";
  message: string;
  /** Under `key`, e.g. ["nofile"]. */
  suffix?: string[];
}

const LIMIT_KEYS = ["nofile", "nproc", "core"] as const;
const LIMIT_NAMES = { nofile: "Max open files", nproc: "Max processes", core: "Max core file size" } as const;
const CAP_SYS_NICE = 23n;
const CAP_SYS_RESOURCE = 24n;

/** What the orchestrator itself may do: read once per load from /proc/self. */
interface Powers {
  hard: Record<(typeof LIMIT_KEYS)[number], number>;
  sysResource: boolean;
  sysNice: boolean;
  /** Lowest nice value RLIMIT_NICE allows without CAP_SYS_NICE. */
  niceFloor: number;
}

export class RunAsChecker {
  private readonly resolver: AccountResolver;
  private powers?: Powers;

  constructor(private readonly self: Identity = currentIdentity()) {
    this.resolver = new AccountResolver(self);
  }

  /** Fills `service.account` and returns what is wrong; an unresolved account stops the checks there. */
  check(service: ServiceConfig): RunAsProblem[] {
    const { account, problems } = this.resolver.resolve(service.user, service.group);
    if (account) service.account = account;
    if (problems.length > 0) return problems;
    return [...this.checkTools(service), ...this.checkLimits(service), ...this.checkNice(service)];
  }

  private checkTools(service: ServiceConfig): RunAsProblem[] {
    return toolsNeeded(service, this.self).flatMap((tool): RunAsProblem[] => {
      if (findTool(tool)) return [];
      return [{ key: toolKey(tool, service), message: `${describeUse(tool, service)} needs ${describeMissingTool(tool)}` }];
    });
  }

  private checkLimits(service: ServiceConfig): RunAsProblem[] {
    const powers = this.readPowers();
    if (powers.sysResource) return [];
    return LIMIT_KEYS.flatMap((key): RunAsProblem[] => {
      const wanted = service.limits[key];
      const hard = powers.hard[key];
      if (wanted === undefined || (wanted === "unlimited" ? Infinity : wanted) <= hard) return [];
      const own = Number.isFinite(hard) ? String(hard) : "unlimited";
      const message = `${wanted} is above the orchestrator's own hard limit (${own}); raising it needs CAP_SYS_RESOURCE, which the orchestrator does not have`;
      return [{ key: "limits", suffix: [key], message }];
    });
  }

  private checkNice(service: ServiceConfig): RunAsProblem[] {
    const nice = service.nice;
    if (nice === undefined || nice >= this.self.nice) return [];
    const powers = this.readPowers();
    if (powers.sysNice || nice >= powers.niceFloor) return [];
    return [{ key: "nice", message: `${nice} is below the orchestrator's own nice value (${this.self.nice}); that needs CAP_SYS_NICE (root) or a higher RLIMIT_NICE` }];
  }

  private readPowers(): Powers {
    return (this.powers ??= readPowers());
  }
}

function toolKey(tool: RunAsTool, service: ServiceConfig): RunAsProblem["key"] {
  if (tool === "setpriv") return service.user === undefined ? "group" : "user";
  return tool === "prlimit" ? "limits" : "nice";
}

function describeUse(tool: RunAsTool, service: ServiceConfig): string {
  if (tool === "setpriv") return `running as user "${service.account!.user}" and group "${service.account!.group}"`;
  return tool === "prlimit" ? "setting limits" : `nice ${service.nice}`;
}

// Unreadable /proc: assume the powers, and let the service's own start say what failed.
function readPowers(): Powers {
  const powers: Powers = { hard: { nofile: Infinity, nproc: Infinity, core: Infinity }, sysResource: true, sysNice: true, niceFloor: -20 };
  try {
    const limits = readFileSync("/proc/self/limits", "latin1");
    for (const key of LIMIT_KEYS) powers.hard[key] = readLimit(limits, LIMIT_NAMES[key], 1);
    const niceCeiling = readLimit(limits, "Max nice priority", 0);
    if (Number.isFinite(niceCeiling)) powers.niceFloor = 20 - niceCeiling;
    const effective = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync("/proc/self/status", "latin1"))?.[1];
    if (effective) {
      const caps = BigInt(`0x${effective}`);
      powers.sysResource = ((caps >> CAP_SYS_RESOURCE) & 1n) === 1n;
      powers.sysNice = ((caps >> CAP_SYS_NICE) & 1n) === 1n;
    }
  } catch {
    // keep the assumption
  }
  return powers;
}

/** Soft (`column` 0) or hard (1) value of a /proc/PID/limits row; Infinity for unlimited or a row not found. */
function readLimit(limits: string, name: string, column: 0 | 1): number {
  const row = limits.split("\n").find((line) => line.startsWith(`${name} `));
  const value = row?.slice(name.length).trim().split(/\s+/)[column];
  return value === undefined || value === "unlimited" ? Infinity : Number(value);
}
