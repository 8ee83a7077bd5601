/**
 * The recipes of docs/RECIPES.md as the real-software suite runs them: each `<!-- recipe: NAME -->`
 * block is a `services:` entry (the `header` block is the manifest's top), each
 * `<!-- file: PATH -->` block a file the recipes use. A fleet is the header plus some recipes,
 * written to a tmp folder laid out as the recipes expect, owned by the users they run as,
 * with every port free and every path in it (through the recipes' own `${VAR:-default}`s).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, chownSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { findUser } from "../../src/lib/libc";
import { ROOT } from "../helpers/binary-run";
import { freePort } from "../helpers/processes";

const RECIPES = join(ROOT, "docs/RECIPES.md");
export const PG_BIN = "/usr/lib/postgresql/15/bin";

/** The blocks of docs/RECIPES.md by kind and name. */
export function readRecipes(): { recipes: Map<string, string>; files: Map<string, string> } {
  const text = readFileSync(RECIPES, "utf8");
  const recipes = new Map<string, string>();
  const files = new Map<string, string>();
  for (const match of text.matchAll(/<!-- (recipe|file): ([\w./-]+) -->\n```[a-z]*\n([\s\S]*?)```\n/g)) {
    (match[1] === "recipe" ? recipes : files).set(match[2]!, match[3]!);
  }
  return { recipes, files };
}

/** Why the suite cannot run here (said in the output), or null: it needs root and Debian's programs and users. */
export function missingForReal(programs: readonly string[], users: readonly string[]): string | null {
  if (process.geteuid?.() !== 0) return "needs root (it runs programs as postgres, redis and www-data)";
  const gone = programs.filter((p) => !(p.startsWith("/") ? existsSync(p) : Bun.which(p)));
  if (gone.length > 0) return `needs ${gone.join(", ")} (Debian's postgresql, redis-server, nginx; .ci/run installs them)`;
  const nobody = users.filter((u) => !findUser(u));
  if (nobody.length > 0) return `needs the users ${nobody.join(", ")} (their Debian packages create them)`;
  return null;
}

export interface RealFleet {
  dir: string;
  manifest: string;
  /** The environment `up` gets: PATH (bun first) and every variable the recipes read. */
  env: Record<string, string>;
  ports: Record<string, number>;
  remove(): void;
}

/**
 * Header (+ `extra` top-level YAML) + the named recipes in a fresh tmp folder, with the files,
 * folders and owners they need. `given` fixes some ports (bench/soak-mixed.ts keeps to its range); the rest are free ones.
 */
export function writeRealFleet(names: readonly string[], extra = "", given: Partial<Record<string, number>> = {}): RealFleet {
  const { recipes, files } = readRecipes();
  const dir = mkdtempSync(join(tmpdir(), "real-fleet-"));
  chmodSync(dir, 0o755); // the services' users pass through it
  const ports = { API_PORT: freePort(), PG_PORT: freePort(), REDIS_PORT: freePort(), APP_PORT: freePort(), WEB_PORT: freePort(), PY_PORT: freePort(), NODE_PORT: freePort(), LEGACY_PORT: freePort(), ...given } as Record<string, number>;
  const owned = (path: string, user: string) => {
    mkdirSync(path, { recursive: true });
    const account = findUser(user)!;
    chownSync(path, account.uid, account.gid);
    return path;
  };
  const put = (name: string, text: string) => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  const env: Record<string, string> = {
    PATH: `${join(ROOT, "node_modules/.bin")}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
    HOME: dir,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  if (names.includes("postgres")) {
    env.PGDATA = owned(join(owned(join(dir, "pg"), "postgres"), "data"), "postgres"); // its `data`, made empty as the recipe says
    chmodSync(env.PGDATA, 0o700);
  }
  if (names.includes("app")) {
    put("app/server.ts", files.get("app/server.ts")!);
    env.APP_DIR = join(dir, "app");
  }
  if (names.includes("nginx")) {
    const run = owned(join(dir, "web/run"), "www-data");
    const conf = files.get("web/nginx.conf")!
      .replaceAll("/var/lib/nginx/orchestrator", run)
      .replace("listen 127.0.0.1:8080;", `listen 127.0.0.1:${ports.WEB_PORT};`)
      .replace("proxy_pass http://127.0.0.1:3000;", `proxy_pass http://127.0.0.1:${ports.APP_PORT};`);
    env.WEB_CONF = put("web/nginx.conf", conf);
  }
  if (names.includes("python")) {
    put("py/app.py", files.get("py/app.py")!);
    env.PY_DIR = join(dir, "py");
  }
  if (names.includes("node")) {
    put("node/server.js", files.get("node/server.js")!);
    env.NODE_DIR = join(dir, "node");
  }
  if (names.includes("legacy")) env.LEGACY_PID = join(owned(join(dir, "legacy"), "redis"), "legacy.pid");
  const body = names.map((name) => {
    const recipe = recipes.get(name);
    if (!recipe) throw new Error(`docs/RECIPES.md has no recipe "${name}"`);
    return recipe.replace(/^(?=.)/gm, "  ");
  });
  const manifest = `${recipes.get("header")!}${extra}services:\n${body.join("")}`;
  put("orchestrator.yaml", manifest);
  return { dir, manifest, env, ports, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The first line of a pid file (postmaster.pid, nginx.pid), as a number; null when there is none. */
export { readPid as readPidFile } from "../../src/process/pid-file-child";

/** The real uid of a live process, from /proc. */
export function uidOf(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "latin1").split("\n").find((l) => l.startsWith("Uid:"));
    return line ? Number(line.split(/\s+/)[1]) : null;
  } catch {
    return null;
  }
}
