/**
 * A service's probe as a shell command run inside its container (SPEC §17), with a tool the
 * chosen image has: the server's own ping (`pg_isready`, `redis-cli ping`), curl or wget
 * where the image has them, else the runtime itself (`bun -e fetch(...)`), else bash's
 * `/dev/tcp`. For an image the export does not know, the old chain (curl, then wget; nc, then
 * bash) is kept and the header says it is assumed.
 */
import type { HealthCheck, ServiceConfig } from "../contract/config";
import { programName } from "./command-words";
import type { ImageChoice } from "./images";
import { probePath, probePort } from "./service-facts";

export type ContainerProbe = { command: string; tool: string; note?: string } | { reason: string };

const FETCH = (url: string) => `fetch('${url}',{redirect:'manual'}).then(r=>process.exit(r.status<400?0:1),()=>process.exit(1))`;
const CONNECT = (port: number) => `require('net').connect(${port},'localhost').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`;

// An HTTP/1.0 request over bash's /dev/tcp: healthy on a 2xx or 3xx status line, as the orchestrator's probe.
function bashHttp(port: number, path: string): string {
  const request = `printf 'GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3`;
  return `bash -c 'exec 3<>/dev/tcp/localhost/${port} && ${request.replaceAll("'", "'\\''")} && read -r _ code _ <&3 && case $code in 2??|3??) exit 0;; esac; exit 1'`;
}

function httpCommand(tools: ReadonlySet<string>, port: number, path: string, seconds: number): { command: string; tool: string } | undefined {
  const url = `http://localhost:${port}${path}`;
  if (tools.has("curl")) return { tool: "curl", command: `curl -fsS -o /dev/null --max-time ${seconds} ${url}` };
  if (tools.has("wget")) return { tool: "wget", command: `wget -q -T ${seconds} -O /dev/null ${url}` };
  if (tools.has("bun")) return { tool: "bun", command: `bun -e "${FETCH(url)}"` };
  if (tools.has("node")) return { tool: "node", command: `node -e "${FETCH(url)}"` };
  if (tools.has("deno")) return { tool: "deno", command: `deno eval "${FETCH(url).replaceAll("process.exit", "Deno.exit")}"` };
  if (tools.has("python3")) return { tool: "python3", command: `python3 -c "import urllib.request; urllib.request.urlopen('${url}', timeout=${seconds})"` };
  if (tools.has("bash")) return { tool: "bash", command: bashHttp(port, path) };
  return undefined;
}

function tcpCommand(tools: ReadonlySet<string>, port: number): { command: string; tool: string } | undefined {
  if (tools.has("bash")) return { tool: "bash", command: `bash -c '</dev/tcp/localhost/${port}'` };
  if (tools.has("nc")) return { tool: "nc", command: `nc -z localhost ${port}` };
  if (tools.has("bun")) return { tool: "bun", command: `bun -e "${CONNECT(port)}"` };
  if (tools.has("node")) return { tool: "node", command: `node -e "${CONNECT(port)}"` };
  if (tools.has("python3")) return { tool: "python3", command: `python3 -c "import socket; socket.create_connection(('localhost', ${port}), 2)"` };
  return undefined;
}

/** Programs an image may or may not have, which the export knows per image. */
const PROBE_TOOLS = ["curl", "wget", "nc", "bash", "pg_isready", "redis-cli", "mysqladmin", "mariadb-admin", "mongosh", "bun", "node", "deno", "python3", "psql"];

/** The tools an exec probe's first word needs that a known image lacks (`curl` on oven/bun). */
export function missingTool(command: string, choice: ImageChoice): string | undefined {
  const tools = choice.profile?.tools;
  const word = command.trim().replace(/^exec\s+/, "").split(/\s+/)[0] ?? "";
  const name = programName(word);
  if (!tools || name === "" || word.startsWith("/")) return undefined;
  return PROBE_TOOLS.includes(name) && !tools.has(name) ? name : undefined;
}

/** The probe as a command inside the container, or why it cannot be one. */
export function renderContainerProbe(service: ServiceConfig, check: HealthCheck, choice: ImageChoice, timeoutMs: number): ContainerProbe {
  const image = choice.image ?? "the built image";
  if (check.kind === "exec") {
    const missing = missingTool(check.command, choice);
    return { command: check.command, tool: "exec", ...(missing ? { note: `the health command runs ${missing}, which ${image} does not have: set \`image\` to one that has it, or change the probe` } : {}) };
  }
  const port = probePort(service, check);
  if (port === undefined) return { reason: "the HTTP probe has no port (set `port` on the service)" };
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const tools = choice.profile?.tools;
  if (!tools) {
    if (check.kind === "tcp") return { tool: "nc or bash", command: `nc -z localhost ${port} || bash -c '</dev/tcp/localhost/${port}'` };
    const url = `http://localhost:${port}${probePath(check)}`;
    return { tool: "curl or wget", command: `curl -fsS -o /dev/null ${url} || wget -q -O /dev/null ${url}` };
  }
  const ping = check.kind === "tcp" && port === service.port ? choice.server?.ping?.(port) : undefined;
  const chosen = ping ? { command: ping, tool: ping.split(" ")[0]! } : check.kind === "tcp" ? tcpCommand(tools, port) : httpCommand(tools, port, probePath(check), seconds);
  return chosen ?? { reason: `${image} has no tool to probe ${check.kind === "tcp" ? "a port" : "HTTP"} with (no curl, wget, bash or runtime): set \`image\` or an exec probe` };
}
