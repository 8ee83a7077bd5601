/**
 * Methods. The API serves GET, HEAD, POST and OPTIONS; any other method (PROPFIND, TRACE,
 * DELETE...) is refused with 405 before routing, and a served method on a path that exists only
 * for others (POST /orchestrator/status) gets 405 instead of 404. `Allow` lists the path's methods.
 * (Bun itself drops a request whose method it does not know at all, e.g. FOO, without an answer.)
 */
import { Elysia } from "elysia";
import { MethodNotAllowedError } from "./guard-errors";

export const SERVED_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST", "OPTIONS"]);

/** A route as Elysia's router lists it (`app.router.history`). */
export interface RouteEntry {
  method: string;
  path: string;
}

export interface RouteMethods {
  /** The methods `pathname` is served with, in a fixed order; empty for an unknown path. */
  allowed(pathname: string): string[];
}

const ORDER = ["GET", "HEAD", "POST", "OPTIONS"];

/** Read lazily from `routes()`, so routes added later (a plugin that loads late) count too. */
export function createRouteMethods(routes: () => readonly RouteEntry[]): RouteMethods {
  let seen = -1;
  let patterns: { pattern: RegExp; methods: string[] }[] = [];
  const compile = () => {
    const list = routes();
    if (list.length === seen) return;
    seen = list.length;
    patterns = list.map((route) => ({ pattern: toPattern(route.path), methods: methodsOf(route.method) }));
  };
  return {
    allowed(pathname) {
      compile();
      const found = new Set<string>();
      for (const { pattern, methods } of patterns) if (pattern.test(pathname)) for (const m of methods) found.add(m);
      if (found.size > 0) found.add("OPTIONS");
      return ORDER.filter((m) => found.has(m));
    },
  };
}

/** 405 for a method the API never serves, on any path. */
export function methodGuard(methods: RouteMethods) {
  return new Elysia({ name: "orchestrator-method-guard" }).onRequest(({ request }) => {
    if (SERVED_METHODS.has(request.method)) return;
    const path = pathnameOf(request.url);
    const allowed = methods.allowed(path);
    throw new MethodNotAllowedError(request.method, path, allowed.length > 0 ? allowed : ORDER);
  });
}

/** The 405 for a request that found no route, when its path exists for other methods; null when the path is unknown. */
export function wrongMethod(methods: RouteMethods, request: Request): MethodNotAllowedError | null {
  const path = pathnameOf(request.url);
  const allowed = methods.allowed(path);
  if (allowed.length === 0 || allowed.includes(request.method)) return null;
  return new MethodNotAllowedError(request.method, path, allowed);
}

function methodsOf(method: string): string[] {
  if (method === "GET" || method === "WS") return ["GET", "HEAD"];
  if (method === "ALL") return ORDER;
  return [method];
}

function toPattern(path: string): RegExp {
  const source = path
    .split("/")
    .map((part) => (part === "*" ? ".*" : part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}/?$`);
}

function pathnameOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const path = url.startsWith("/") ? url : start < 0 ? "/" : url.slice(start);
  const end = path.search(/[?#]/);
  return end < 0 ? path : path.slice(0, end);
}
