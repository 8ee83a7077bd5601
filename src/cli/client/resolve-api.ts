/**
 * Where the client finds the API: `--api URL`, else $ORCHESTRATOR_API, else the manifest's
 * `api.host`/`api.port` (`-c FILE`, $ORCHESTRATOR_CONFIG or ./orchestrator.yaml), else
 * http://127.0.0.1:9000. Only the `api` section is read: no discovery, no validation.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ClientError } from "./errors";

export const DEFAULT_API = "http://127.0.0.1:9000";

export interface ApiTarget {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:9000 */
  url: string;
  token?: string;
  /** Where the URL came from, for messages. */
  source: "flag" | "env" | "manifest" | "default";
}

export interface ResolveInput {
  flags: Record<string, string | boolean>;
  env: Record<string, string | undefined>;
  cwd: string;
}

export async function resolveApi({ flags, env, cwd }: ResolveInput): Promise<ApiTarget> {
  const envToken = env.ORCHESTRATOR_TOKEN || undefined;
  if (flags.api === true) throw new ClientError("BAD_API_URL", 'option "--api" needs a value, e.g. --api http://127.0.0.1:9000');
  if (typeof flags.api === "string") return { url: normalizeUrl(flags.api, "--api"), token: envToken, source: "flag" };
  if (env.ORCHESTRATOR_API) return { url: normalizeUrl(env.ORCHESTRATOR_API, "ORCHESTRATOR_API"), token: envToken, source: "env" };

  if (flags.config === true) throw new ClientError("BAD_API_URL", 'option "--config" needs a value');
  const explicit = typeof flags.config === "string" ? flags.config : env.ORCHESTRATOR_CONFIG || undefined;
  const file = resolve(cwd, explicit ?? "orchestrator.yaml");
  const api = await readApiSection(file, env, explicit !== undefined);
  if (!api) return { url: DEFAULT_API, token: envToken, source: "default" };
  const host = connectHost(api.host ?? "127.0.0.1");
  return { url: `http://${host}:${api.port ?? 9000}`, token: envToken ?? (api.token || undefined), source: "manifest" };
}

/** A loose `host:port` or full URL → `http://host:port` with no trailing slash. */
export function normalizeUrl(raw: string, from: string): string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    throw new ClientError("BAD_API_URL", `${from}: expected a URL like http://127.0.0.1:9000, got "${raw}"`, { cause: err });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ClientError("BAD_API_URL", `${from}: expected an http:// or https:// URL, got "${raw}"`);
  }
  url.hostname = connectHost(url.hostname);
  return url.toString().replace(/\/+$/, "");
}

/** A wildcard bind address is not somewhere to connect to: use loopback instead. */
function connectHost(host: string): string {
  if (host === "0.0.0.0" || host === "" || host === "*") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

interface ApiSection {
  host?: string;
  port?: number;
  token?: string;
}

/**
 * The manifest's `api` section with `${VAR}` interpolated, or undefined when there is no
 * manifest to read (and none was asked for). A named manifest that cannot be read, or an
 * `api` section that makes no sense, is a configuration error.
 */
export async function readApiSection(file: string, env: Record<string, string | undefined>, required: boolean): Promise<ApiSection | undefined> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ClientError("BAD_MANIFEST", `cannot read ${file} to find the API: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}; or pass --api URL`, { cause: err });
  }
  // Imported here, not at the top, and with import(), not require(): with --api or
  // $ORCHESTRATOR_API (or no manifest) a client command never loads the YAML parser. A require()
  // is lazy only in evaluation: the bundler still loads its 160 KB chunk at start
  // (bench/cli-start.ts, docs/BENCHMARKS.md "Client commands: start-up").
  const [{ parse }, { interpolateText }] = await Promise.all([import("yaml"), import("../../manifest/interpolate")]);
  let doc: unknown;
  try {
    doc = parse(text, { logLevel: "silent", maxAliasCount: 100 });
  } catch (err) {
    throw new ClientError("BAD_MANIFEST", `${file}: not valid YAML (${(err as Error).message.split("\n")[0]}); run orchestrator check, or pass --api URL`, { cause: err });
  }
  const api = isRecord(doc) ? doc.api : undefined;
  if (api === undefined || api === null) return {};
  if (!isRecord(api)) throw new ClientError("BAD_MANIFEST", `${file}: api: expected a mapping like { host: 127.0.0.1, port: 9000 }`);
  const read = (key: string): string | undefined => {
    const v = api[key];
    if (v === undefined || v === null) return undefined;
    return interpolateText(String(v), env, () => {});
  };
  const host = read("host");
  const portText = read("port");
  const port = portText === undefined || portText === "" ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new ClientError("BAD_MANIFEST", `${file}: api.port: expected an integer from 1 to 65535, got "${portText}"`);
  }
  return { host: host || undefined, port, token: read("token") };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
