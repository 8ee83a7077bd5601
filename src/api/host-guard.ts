/**
 * DNS rebinding: a web page on attacker.example can make its own name resolve to 127.0.0.1 and
 * then read a loopback API as "same origin". The browser still sends `Host: attacker.example`,
 * so every request whose Host is not one of ours is refused (421) before any route runs:
 * loopback names and addresses (any port), the configured api.host, and api.allowedHosts
 * (`.example.com` allows the domain and its subdomains).
 */
import { Elysia } from "elysia";
import { isLoopbackHost, isWildcardHost } from "./auth";
import { MisdirectedRequestError } from "./guard-errors";

export interface HostPolicy {
  /** The refusal for `request`, or null when its Host is allowed. */
  check(request: Request): MisdirectedRequestError | null;
}

const MAX_REMEMBERED_HOSTS = 64;

export function createHostPolicy(options: { host: string; allowedHosts?: readonly string[] }): HostPolicy {
  const apiHost = normalizeName(options.host);
  const exact = new Set<string>();
  const suffixes: string[] = [];
  if (!isWildcardHost(apiHost)) exact.add(apiHost);
  for (const entry of options.allowedHosts ?? []) {
    const name = normalizeName(entry);
    if (name.startsWith(".")) suffixes.push(name);
    else if (name) exact.add(name);
  }
  const allowed = (name: string) => isLoopbackHost(name) || exact.has(name) || suffixes.some((s) => name.endsWith(s) || name === s.slice(1));
  const expected = describeAllowed(apiHost, options.allowedHosts ?? []);
  // Clients send the same few Host values again and again: remember the allowed ones (the
  // policy never changes), so a request costs one lookup, not the parse.
  const accepted = new Set<string>();
  return {
    check(request) {
      const header = request.headers.get("host") ?? hostOfAbsoluteUrl(request.url);
      if (header === null) return new MisdirectedRequestError(`expected a Host header naming ${expected}, got none`);
      if (accepted.has(header)) return null;
      const name = parseHostHeader(header);
      if (name !== null && allowed(name)) {
        if (accepted.size >= MAX_REMEMBERED_HOSTS) accepted.clear();
        accepted.add(header);
        return null;
      }
      return new MisdirectedRequestError(
        `this orchestrator does not answer to Host ${JSON.stringify(header.slice(0, 100))}: expected ${expected}; ` +
          "if you reach the API by that name, add it to api.allowedHosts",
      );
    },
  };
}

/** Refuse requests for hosts not in `policy` with 421, on every route (the stream upgrade, docs and the dashboard too). */
export function hostGuard(policy: HostPolicy) {
  return new Elysia({ name: "orchestrator-host-guard" }).onRequest(({ request }) => {
    const refusal = policy.check(request);
    if (refusal) throw refusal;
  });
}

/** `name`, `name:port`, `[v6]` or `[v6]:port` → the lower-case name (v6 without brackets), or null when malformed. */
export function parseHostHeader(header: string): string | null {
  const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9_.-]+))(?::\d{1,5})?$/i.exec(header.trim());
  if (!match) return null;
  return normalizeName(match[1] ?? match[2]!);
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
}

// An in-process request (`app.handle(new Request(url))`) has no Host header, only its URL; a
// real HTTP/1.0 request without one reaches us with a bare path, and is refused.
function hostOfAbsoluteUrl(url: string): string | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

function describeAllowed(apiHost: string, allowedHosts: readonly string[]): string {
  const own = isWildcardHost(apiHost) ? "" : `, api.host (${apiHost})`;
  const listed = allowedHosts.length > 0 ? allowedHosts.map((h) => JSON.stringify(h)).join(", ") : "none listed";
  return `a loopback name or address (localhost, 127.0.0.1, [::1])${own} or a name in api.allowedHosts (${listed})`;
}
