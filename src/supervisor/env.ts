/**
 * The environment a service is spawned with: orchestrator env, then the account's HOME, USER
 * and LOGNAME (with `user`), then envFile, then `env`, then PORT, less the API token
 * (ORCHESTRATOR_TOKEN and any variable holding the token's value); and the rest of what it
 * starts with (account, umask, nice, rlimits) for the spawner.
 */
import { OrchestratorError } from "../contract/errors";
import { runsStartScript } from "../manifest/start-script";
import type { ServiceConfig } from "../contract/config";
import { accountEnv } from "../process/run-as";
import type { RunAs } from "../process/spawner";

/** Reads a file as text, or returns undefined when it does not exist. Injected so tests need no disk. */
export type ReadTextFile = (path: string) => string | undefined;

/** Thrown when an envFile line is neither a comment, blank, nor KEY=VALUE (422: a config that cannot be used). */
export class EnvFileError extends OrchestratorError {
  override readonly code = "ENV_FILE_INVALID";
  override readonly status = 422;
  override readonly name = "EnvFileError";
  constructor(
    readonly file: string,
    readonly line: number,
    /** What is wrong with the line, said without quoting it: an envFile holds secrets. */
    problem: string,
  ) {
    super(`${file}:${line}: expected KEY=VALUE, a # comment or a blank line, got ${problem} (the line is not shown: it may hold a secret)`);
  }
}

/**
 * Parse dotenv-style text: `KEY=VALUE`, optional `export `, `#` comments, blank lines,
 * values in single or double quotes (double quotes understand \n, \t, \" and \\).
 */
export function parseEnvFile(text: string, file = "envFile"): Record<string, string> {
  const env: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new EnvFileError(file, index + 1, describeBadLine(line));
    env[match[1]!] = unquote(match[2]!);
  });
  return env;
}

function describeBadLine(line: string): string {
  if (!line.includes("=")) return "a line without \"=\"";
  return "a line whose name before \"=\" is not a variable name (letters, digits, _ and ., not starting with a digit)";
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\([nt"\\])/g, (_, c: string) => ({ n: "\n", t: "\t" })[c as "n" | "t"] ?? c);
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  const comment = value.search(/\s#/);
  return (comment >= 0 ? value.slice(0, comment) : value).trim();
}

/** The variable the orchestrator and its clients read the API token from. */
export const TOKEN_VARIABLE = "ORCHESTRATOR_TOKEN";

/**
 * Merge the layers; a missing envFile is an empty layer (validation reports it elsewhere).
 * `secrets` (api.token, the alert URLs: see secretsOf) never reach a service, whichever layer
 * and name they come under.
 */
export function buildServiceEnv(
  service: Pick<ServiceConfig, "env" | "envFile" | "port" | "cwd"> & Partial<Pick<ServiceConfig, "command" | "source" | "account">>,
  processEnv: Record<string, string | undefined>,
  readTextFile: ReadTextFile,
  secrets: readonly string[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(processEnv)) if (value !== undefined) env[key] = value;
  // A package.json start script runs as a package manager would run it: its folder's
  // node_modules/.bin first on PATH.
  if (runsStartScript(service)) {
    env.PATH = `${service.cwd}/node_modules/.bin${env.PATH ? `:${env.PATH}` : ""}`;
    env.npm_lifecycle_event = "start";
  }
  // the account's, not the orchestrator's; the manifest's own (envFile, env) still win
  if (service.account) Object.assign(env, accountEnv(service.account));
  if (service.envFile) {
    const text = readTextFile(service.envFile);
    if (text !== undefined) Object.assign(env, parseEnvFile(text, service.envFile));
  }
  Object.assign(env, service.env);
  if (service.port !== undefined) env.PORT = String(service.port);
  return withholdSecrets(env, secrets);
}

/** What the service starts with besides its environment; undefined when it changes nothing. */
export function runAsOf(service: Pick<ServiceConfig, "account" | "umask" | "nice" | "limits">): RunAs | undefined {
  const { account, umask, nice } = service;
  const { nofile, nproc, core } = service.limits;
  const limits = nofile === undefined && nproc === undefined && core === undefined ? undefined : { nofile, nproc, core };
  if (!account && umask === undefined && nice === undefined && !limits) return undefined;
  return { account, umask, nice, limits };
}

/** The orchestrator's own secrets: the API token and every alert URL (a webhook's token sits in its path). */
export function secretsOf(config: { api: { token?: string }; alerts?: readonly { url: string }[] }): string[] {
  return [config.api.token, ...(config.alerts ?? []).map((alert) => alert.url)].filter((secret): secret is string => !!secret);
}

/** A part of an alert URL this long or longer, given as a variable (`https://hooks.slack.com/${SLACK_PATH}`), is a secret too. */
const SECRET_PART_MIN = 12;

/**
 * `env` without ORCHESTRATOR_TOKEN and without any variable whose value is one of `secrets`,
 * or a part of at least SECRET_PART_MIN characters of one that is a URL (a new object).
 */
export function withholdSecrets(env: Record<string, string>, secrets: readonly string[]): Record<string, string> {
  const urls = secrets.filter((secret) => secret.includes("://"));
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key === TOKEN_VARIABLE || secrets.includes(value)) continue;
    if (value.length >= SECRET_PART_MIN && urls.some((url) => url.includes(value))) continue;
    kept[key] = value;
  }
  return kept;
}
