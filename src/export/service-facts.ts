import { existsSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { runsStartScript } from "../manifest/start-script";
import type { Config, HealthCheck, ServiceConfig } from "../contract/config";
import type { FileExists } from "./types";

/** A path relative to the manifest's directory, with `/` separators (`.` for the directory itself). */
export function relativePath(config: Config, absolutePath: string): string {
  const rel = relative(config.dir, absolutePath).split(sep).join("/");
  return rel === "" ? "." : rel;
}

/** The manifest's file name as the header of every exported file names it. */
export function manifestName(config: Config): string {
  return relativePath(config, config.file);
}

/** Whether the service's directory holds a Dockerfile. */
export function hasDockerfile(service: ServiceConfig, fileExists: FileExists = existsSync): boolean {
  return fileExists(join(service.cwd, "Dockerfile"));
}

const START_COMMANDS: Record<string, string[]> = {
  bun: ["bun", "run", "start"],
  npm: ["npm", "start"],
  pnpm: ["pnpm", "start"],
  yarn: ["yarn", "start"],
};

/**
 * The argv a container or unit runs: the package manager's start for a package.json start
 * script, the manifest's argv as is, or `sh -c` for a command string.
 */
export function commandArgv(service: ServiceConfig): string[] {
  if (runsStartScript(service)) return START_COMMANDS[service.source.packageManager!];
  if (typeof service.command === "string") return ["sh", "-c", service.command];
  return service.command;
}

/** The runtime a service's command needs: its package manager, else argv[0]'s base name. */
export function detectRuntime(service: ServiceConfig): string {
  if (service.source.packageManager) return service.source.packageManager;
  const argv = commandArgv(service);
  const first = argv[0] === "sh" && argv[1] === "-c" ? (argv[2] ?? "").trim().split(/\s+/)[0] : argv[0];
  return (first ?? "").split("/").pop() ?? "";
}

const RUNTIME_IMAGES: [RegExp, string][] = [
  [/^(bun|bunx)$/, "oven/bun:1"],
  [/^(node|npm|npx|pnpm|yarn|tsx)$/, "node:22"],
  [/^(deno)$/, "denoland/deno:latest"],
  [/^(python|python3|pip|uv|gunicorn|uvicorn)$/, "python:3.12-slim"],
  [/^(go)$/, "golang:1.23"],
  [/^(ruby|bundle|rails)$/, "ruby:3.3"],
  [/^(java)$/, "eclipse-temurin:21"],
];

/** A public image that has the runtime a service's command needs (Debian as the fallback). */
export function defaultImage(service: ServiceConfig): string {
  const runtime = detectRuntime(service);
  return RUNTIME_IMAGES.find(([pattern]) => pattern.test(runtime))?.[1] ?? "debian:bookworm-slim";
}

/** The service's environment, sorted by name, with PORT added as the orchestrator does. */
export function serviceEnvironment(service: ServiceConfig): [string, string][] {
  const env: Record<string, string> = { ...service.env };
  if (service.port !== undefined && env.PORT === undefined) env.PORT = String(service.port);
  return Object.keys(env).sort().map((key) => [key, env[key]]);
}

/** The port a probe talks to, when the probe has one. */
export function probePort(service: ServiceConfig, check: HealthCheck): number | undefined {
  if (check.kind === "tcp") return check.port;
  if (check.kind === "http") return check.port ?? service.port;
  return undefined;
}

/** The one path an exported HTTP probe uses: the explicit path, else the first of `endpoints`. */
export function probePath(check: Extract<HealthCheck, { kind: "http" }>): string {
  return check.path ?? check.endpoints[0] ?? "/";
}

/** Whether an HTTP probe falls back through several endpoints, which no engine can express. */
export function triesSeveralEndpoints(check: HealthCheck): boolean {
  return check.kind === "http" && check.path === undefined && check.endpoints.length > 1;
}

/** `ready: { log: "…" }`, `ready: { notify: systemd }`, `ready: { notify: fd, fd: 3 }`, as the manifest says it. */
export function describeReady(service: ServiceConfig): string {
  const ready = service.ready;
  if (!ready) return "";
  if (ready.kind === "log") return `ready: { log: ${JSON.stringify(ready.pattern)} }`;
  if (ready.kind === "systemd") return "ready: { notify: systemd }";
  if (ready.kind === "fd") return `ready: { notify: fd, fd: ${ready.fd} }`;
  return `ready: { ${ready.check.kind} }`;
}
