/**
 * The image a service runs in (SPEC §17): `image` wins; a Dockerfile in its cwd is built; a
 * well-known server (postgres, redis-server, nginx, ...) gets that project's official image;
 * a JS (or other runtime) service gets a runtime image with its code mounted; anything else
 * needs a human. Each choice knows the image's tools (when the export knows the image), so
 * healthchecks use one the image has.
 */
import type { ServiceConfig } from "../contract/config";
import { programName, readCommandWords } from "./command-words";
import { defaultImage, detectRuntime, hasDockerfile } from "./service-facts";
import type { FileExists } from "./types";

/** What the export knows of a public image: the probe tools in it, and the uids of its users. */
export interface ImageProfile {
  tools: ReadonlySet<string>;
  uids: Readonly<Record<string, number>>;
}

const profile = (tools: string[], uids: Record<string, number> = {}): ImageProfile => ({ tools: new Set(["sh", ...tools]), uids });
/** Debian's base passwd (uid 33 www-data, 65534 nobody): every Debian-based image has it. */
const DEBIAN_USERS = { root: 0, "www-data": 33, nobody: 65534 };

// Checked against the images' Dockerfiles: the Debian-based official images carry bash but
// neither curl nor wget, except nginx (curl) and the full buildpack-deps ones (node, ruby, golang).
const PROFILES: Record<string, ImageProfile> = {
  postgres: profile(["bash", "pg_isready", "psql"], { ...DEBIAN_USERS, postgres: 999 }),
  redis: profile(["bash", "redis-cli"], { ...DEBIAN_USERS, redis: 999 }),
  nginx: profile(["bash", "curl"], { ...DEBIAN_USERS, nginx: 101 }),
  mysql: profile(["bash", "mysqladmin"], { root: 0, mysql: 999 }),
  mariadb: profile(["bash", "mariadb-admin"], { ...DEBIAN_USERS, mysql: 999 }),
  mongo: profile(["bash", "mongosh"], { root: 0, mongodb: 999 }),
  caddy: profile(["wget", "nc"], { root: 0 }),
  memcached: profile(["bash"], { ...DEBIAN_USERS, memcache: 11211 }),
  httpd: profile(["bash"], DEBIAN_USERS),
  haproxy: profile(["bash"], { ...DEBIAN_USERS, haproxy: 99 }),
  "oven/bun": profile(["bash", "bun"], { ...DEBIAN_USERS, bun: 1000 }),
  node: profile(["bash", "curl", "wget", "node"], { ...DEBIAN_USERS, node: 1000 }),
  python: profile(["bash", "python3"], DEBIAN_USERS),
  "denoland/deno": profile(["bash", "deno"], { ...DEBIAN_USERS, deno: 1993 }),
  golang: profile(["bash", "curl", "wget"], DEBIAN_USERS),
  ruby: profile(["bash", "curl", "wget", "ruby"], DEBIAN_USERS),
  "eclipse-temurin": profile(["bash"], { root: 0 }),
  debian: profile(["bash"], DEBIAN_USERS),
  busybox: profile(["wget", "nc"], { root: 0, nobody: 65534 }),
};

/** A server whose project publishes an official image: its programs, the image, and a native ping. */
export interface KnownServer {
  programs: readonly string[];
  image(words: readonly string[]): string;
  /** A health command that speaks the server's protocol on `port`, with a tool its image has. */
  ping?(port: number): string;
}

const POSTGRES_MAJOR = /\/postgresql\/(\d+)\//;

const SERVERS: KnownServer[] = [
  {
    programs: ["postgres", "postmaster", "initdb", "pg_ctl"],
    image: (words) => `postgres:${words.map((w) => POSTGRES_MAJOR.exec(w)?.[1]).find(Boolean) ?? "17"}`,
    ping: (port) => `pg_isready -q -h localhost -p ${port}`,
  },
  { programs: ["redis-server"], image: () => "redis:7", ping: (port) => `redis-cli -p ${port} ping | grep -q PONG` },
  { programs: ["nginx"], image: () => "nginx:1.27" },
  { programs: ["mysqld"], image: () => "mysql:8.4", ping: (port) => `mysqladmin ping -h 127.0.0.1 -P ${port} --silent` },
  { programs: ["mariadbd"], image: () => "mariadb:11", ping: (port) => `mariadb-admin ping -h 127.0.0.1 -P ${port} --silent` },
  { programs: ["mongod"], image: () => "mongo:7", ping: (port) => `mongosh --quiet --port ${port} --eval 'db.adminCommand("ping")'` },
  { programs: ["caddy"], image: () => "caddy:2" },
  { programs: ["memcached"], image: () => "memcached:1" },
  { programs: ["httpd", "apache2"], image: () => "httpd:2.4" },
  { programs: ["haproxy"], image: () => "haproxy:3.0" },
];

/** `docker.io/library/postgres:15@sha256:…` → `postgres`. */
export function imageRepository(image: string): string {
  const name = image.split("@")[0]!.replace(/:[^/:]*$/, "");
  return name.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, "").replace(/^library\//, "");
}

/** What the export knows of an image, or undefined for one it does not. */
export function profileOf(image: string): ImageProfile | undefined {
  return PROFILES[imageRepository(image)];
}

export type ImageSource = "manifest" | "dockerfile" | "server" | "runtime" | "none";

export interface ImageChoice {
  source: ImageSource;
  /** The image that runs (a Dockerfile build: none; no image known: a Debian stand-in). */
  image?: string;
  /** The image's tools and users, when the export knows it. */
  profile?: ImageProfile;
  /** The program the image was chosen for (source server). */
  program?: string;
  server?: KnownServer;
}

/** The well-known server among the service's programs, if any (its first program that is one). */
export function findServer(service: ServiceConfig): { server: KnownServer; program: string; image: string } | undefined {
  const { programs } = readCommandWords(service);
  for (const word of programs) {
    const server = SERVERS.find((s) => s.programs.includes(programName(word)));
    if (server) return { server, program: programName(word), image: server.image(programs) };
  }
  return undefined;
}

const RUNTIME_PROGRAMS = /^(bun|bunx|node|npm|npx|pnpm|yarn|tsx|deno|python|python3|pip|uv|gunicorn|uvicorn|go|ruby|bundle|rails|java)$/;

/** Picks the service's image as SPEC §17 orders it. */
export function chooseImage(service: ServiceConfig, fileExists?: FileExists): ImageChoice {
  if (service.image) {
    const known = findServer(service);
    return { source: "manifest", image: service.image, profile: profileOf(service.image), ...(known ? { server: known.server, program: known.program } : {}) };
  }
  if (hasDockerfile(service, fileExists)) return { source: "dockerfile" };
  const known = findServer(service);
  if (known) return { source: "server", image: known.image, profile: profileOf(known.image), program: known.program, server: known.server };
  const runtime = detectRuntime(service);
  const image = defaultImage(service);
  return { source: RUNTIME_PROGRAMS.test(runtime) ? "runtime" : "none", image, profile: profileOf(image), program: runtime };
}

/** The header line that says what was chosen (or what a human must still give). */
export function describeImageChoice(choice: ImageChoice): string {
  if (choice.source === "manifest") return `image ${choice.image}: from the manifest${choice.profile ? "" : " (an image the export does not know: the healthcheck assumes curl or wget, nc or bash in it)"}`;
  if (choice.source === "dockerfile") return "image: built from the Dockerfile in its cwd (the healthcheck assumes curl or wget, nc or bash in it)";
  if (choice.source === "server") return `image ${choice.image}: the official image of ${choice.program}, chosen from its command (set \`image\` to pin another)`;
  if (choice.source === "runtime") return `image ${choice.image}: the runtime ${choice.program} needs, with the service's code mounted at /app`;
  return `NEEDS AN IMAGE: ${choice.program || "its program"} is no well-known server or runtime; ${choice.image} stands in, which does not have it: set \`image\``;
}
