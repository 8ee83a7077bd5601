import type { ServiceConfig } from "../contract/config";

/**
 * Whether the service runs its package.json start script as is (the manifest did not replace
 * the command). Such a service runs as its package manager would run it (its folder's
 * node_modules/.bin first on PATH), exports as the manager's `start`, and a reload that
 * changes this restarts it.
 */
export function runsStartScript(service: Partial<Pick<ServiceConfig, "command" | "source">>): boolean {
  // discovery sets packageManager whenever it sets script
  return service.source?.packageManager !== undefined && service.source.script !== undefined && service.command === service.source.script;
}
