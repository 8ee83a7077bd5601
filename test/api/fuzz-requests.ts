/**
 * Generated requests for the API fuzz: arbitraries for paths, query strings, headers and
 * bodies (fast-check), the route list they are drawn from, and the checks every answer must
 * pass. Shared by test/api/fuzz.test.ts (in process and a started server) and
 * test/security/binary-input.test.ts (the compiled binary over a real socket). They assume
 * the harness fleet's service names (db, api, worker).
 */
import fc from "fast-check";
import net from "node:net";
import { createApi } from "../../src/api";
import { FakePort } from "../helpers/fake-port";

export const TOKEN = "fuzz-token-Zq9";
export const LISTED_ORIGIN = "http://allowed.example";
export const SERVICES = ["db", "api", "worker"];
const ACTION_BODY_LIMIT = 64 * 1024;
const SERVER_BODY_LIMIT = 1024 * 1024;
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"] as const;
/** Query keys some route reads; every route gets them too, with the route's own keys. */
const KNOWN_QUERY_KEYS = ["lines", "limit", "since", "service", "format", "token", "logs"];

// ---- the routes, enumerated from an app over a stub port (its routes do not depend on the port)

export interface RouteInfo {
  method: string;
  path: string;
  params: string[];
  queryKeys: string[];
}

export function describeRoutes(app: { routes: { method: string; path: string; hooks: unknown }[] }): RouteInfo[] {
  return app.routes.map((route) => {
    const query = (route.hooks as { query?: { properties?: Record<string, unknown> } }).query;
    return {
      method: route.method,
      path: route.path,
      params: [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!),
      queryKeys: Object.keys(query?.properties ?? {}),
    };
  });
}

export const ALL_ROUTES = describeRoutes(createApi(new FakePort(), { cors: [], host: "127.0.0.1", port: 9000 }));
const isStream = (r: RouteInfo) => r.method === "WS";
// every HTTP route, the docs assets included (a malformed %-escape once made that one answer 500)
export const HANDLED_ROUTES = ALL_ROUTES.filter((r) => !isStream(r));
export const STREAM_ROUTES = ALL_ROUTES.filter(isStream);

// ---- arbitraries

const codePoint = fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)); // lone surrogates included
const anyText = (maxLength: number) => fc.string({ unit: codePoint, maxLength });
const latin1Text = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength });
const percentBytes = fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""));

function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text; // a lone surrogate: leave it to the URL parser
  }
}

const NASTY = [
  "%zz", "%", "%2", "%%", "%g0", "..%2f", "..%2F..%2F", "%2e%2e", "%2e%2e%2f", "..", ".", "%00", "\u0000", "a%00b",
  "%ff%fe", "%E0%A4%A", "%C0%AF", "%ED%A0%80", "%2F", "/", "\\", "%5c", "~", ";", "%3B", "?", "#", "%23", "&", "=",
  "+", "%20", " ", "\t", "\u202e", "\ufeff", "\u{1F600}", "\ud800", "<script>", "${HOME}", "'", '"', "*", "-", "_",
  "API", "Db", "api.", "api-", "~api", "%61pi", "%64b", "x".repeat(129), "", "__proto__", "constructor", "prototype",
  "toString", "hasOwnProperty", "lines[]", "limit[0]", "a[b]", "a.b",
];
const fragment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.constantFrom(...SERVICES) },
  { weight: 2, arbitrary: anyText(12) },
  { weight: 2, arbitrary: anyText(12).map(encode) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
  { weight: 1, arbitrary: percentBytes },
);
const longText = fc.oneof(
  fc.integer({ min: 100, max: 70_000 }).map((n) => "a".repeat(n)),
  fc.tuple(fc.constantFrom("%zz", "%00", "..%2f", "\u{1F600}", "é"), fc.integer({ min: 50, max: 5000 })).map(([s, n]) => s.repeat(n)),
);
/** Names the schema accepts but no service has: they get past validation to the guards and the port. */
const wellFormedName = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._~-]{0,20}$/),
  fc.constantFrom("a".repeat(128), "a".repeat(129), "nope", "api.", "api-2", "Db", "0", "~"),
);
const paramValue = fc.oneof(
  { weight: 6, arbitrary: fc.array(fragment, { maxLength: 5 }).map((parts) => parts.join("")) },
  { weight: 3, arbitrary: wellFormedName },
  { weight: 3, arbitrary: fc.constantFrom(...SERVICES) },
  { weight: 1, arbitrary: longText },
);

const NUMBERS = [
  "-1", "0", "1", "-0", "0x10", "0b1", "0o7", "1e3", "1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1.5", " 5", "5 ",
  "+5", "05", "1_000", "9007199254740991", "9007199254740992", "9007199254740993", "99999999999999999999999", "1000",
  "1001", "10000", "10001", "", "null", "true", "[]", "{}", "1,2", "%31", "%00",
];
const numberLike = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 1003 }).map(String) }, // around and inside the valid ranges
  { weight: 1, arbitrary: fc.integer({ min: 9990, max: 10_010 }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }).map((n) => `0x${n.toString(16)}`) },
);
const listLike = fc.array(fc.oneof(fc.constantFrom(...SERVICES, "nope", ""), fragment), { maxLength: 4 }).map((a) => a.join(","));

/** Garbage query strings: random keys (the route's, the other routes', anything) and values, repeated keys. */
export function queryString(routeKeys: string[]) {
  const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...routeKeys, ...KNOWN_QUERY_KEYS) }, { weight: 1, arbitrary: fragment });
  const value = fc.oneof(
    numberLike,
    fragment,
    listLike,
    longText,
    fc.constantFrom(TOKEN, `${TOKEN} `, TOKEN.toUpperCase(), "json", "mermaid", "dot", "svg"),
  );
  const pair = fc.tuple(key, value, fc.constantFrom("encoded", "raw", "bare")).map(([k, v, how]) =>
    how === "bare" ? k : how === "raw" ? `${k}=${v}` : `${encode(k)}=${encode(v)}`,
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.constantFrom("?", "?&", "?=", "?&&=&", "?a==b", "?%zz=%zz", "?lines", "?limit=1&limit=2&limit=-1") },
    // repeated keys come from the small key pool
    { weight: 6, arbitrary: fc.array(pair, { minLength: 1, maxLength: 6 }).map((pairs) => `?${pairs.join("&")}`) },
  );
}

/** The route's own keys with plausible values, mostly accepted: the handler runs with edge values. */
function plausibleQuery(routeKeys: string[]) {
  if (routeKeys.length === 0) return fc.constant("");
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 10_001 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom("1", "1000", "1001", "10000", "9007199254740991", "json", "mermaid", "dot", TOKEN) },
    { weight: 1, arbitrary: listLike },
    { weight: 1, arbitrary: wellFormedName },
  );
  const pairs = fc.array(fc.tuple(fc.constantFrom(...routeKeys), value), { maxLength: 3 });
  return pairs.map((list) => (list.length === 0 ? "" : `?${list.map(([k, v]) => `${k}=${encode(v)}`).join("&")}`));
}

/** Turn a route template into a concrete path, sometimes bent out of shape. */
function pathFor(route: RouteInfo) {
  const values = fc.array(paramValue, { minLength: route.params.length, maxLength: route.params.length });
  const bend = fc.oneof(
    { weight: 20, arbitrary: fc.constant((p: string) => p) },
    { weight: 1, arbitrary: fc.constant((p: string) => `${p}/`) },
    { weight: 1, arbitrary: fragment.map((f) => (p: string) => `${p}/${f}`) },
    { weight: 1, arbitrary: fc.constant((p: string) => `/${p}`) },
    { weight: 1, arbitrary: fc.constant((p: string) => p.toUpperCase()) },
    { weight: 1, arbitrary: fc.constant((p: string) => p.replace(/^\/(\w+)\//, "/$1/x/../")) },
    { weight: 1, arbitrary: fc.constant((p: string) => `/${p.slice(1).replace(/\//g, "%2F")}`) },
  );
  return fc.tuple(values, bend).map(([vals, bent]) => bent(fill(route.path, vals)));
}

const CONTENT_TYPES = [
  "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/vnd.api+json", "application/jsonx",
  "application/json;;;", "text/plain", "text/html", "multipart/form-data; boundary=x", "multipart/form-data",
  "application/x-www-form-urlencoded", "application/octet-stream", "application/xml", "", "*/*", "json",
];

export function headersArb(apiPort: number) {
  const origin = fc.oneof(
    fc.constantFrom(
      LISTED_ORIGIN, `${LISTED_ORIGIN}/`, "HTTP://ALLOWED.EXAMPLE", `http://127.0.0.1:${apiPort}`, `http://localhost:${apiPort}`,
      `http://[::1]:${apiPort}`, "http://127.0.0.1", "http://evil.example", "null", "*", "file://", "http://", "://", "",
    ),
    latin1Text(40),
  );
  const authorization = fc.oneof(
    fc.constantFrom(
      `Bearer ${TOKEN}`, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`, `bearer   ${TOKEN}  `, `Bearer ${TOKEN}x`, `Bearer  ${TOKEN} junk`, "Bearer", "Bearer ", "Bearer\ttoken",
      "Basic Zm9vOmJhcg==", "Token abc", "",
    ),
    latin1Text(60),
    latin1Text(40).map((s) => `Bearer ${s}`),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => `Bearer ${"a".repeat(n)}`),
  );
  // each header is left out at least half the time (`absent` to 1), so requests get past the origin and token checks too
  const sometimes = <T>(arb: fc.Arbitrary<T>, absent = 1) => fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
  return fc.record({
    "content-type": sometimes(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: latin1Text(40) }), 3),
    origin: sometimes(origin, 4),
    authorization: sometimes(authorization),
    "content-length": sometimes(fc.constantFrom("-1", "abc", "99999999999", "0", "1e9", "65537", "1048577", ""), 8),
    cookie: sometimes(fc.oneof(fc.constantFrom("a=b", "=;;=", "a", "session=%zz", "a=b; a=c"), latin1Text(60)), 6),
    accept: sometimes(fc.oneof(fc.constantFrom("application/json", "text/html", "*/*", ""), latin1Text(20)), 6),
    "x-forwarded-for": sometimes(fc.constantFrom("1.2.3.4", "::1", "garbage"), 10),
    host: sometimes(fc.constantFrom("evil.example", "127.0.0.1:1", "", "[::1]"), 10),
  });
}

const HUGE_SIZES = [ACTION_BODY_LIMIT - 1, ACTION_BODY_LIMIT, ACTION_BODY_LIMIT + 1, SERVER_BODY_LIMIT, SERVER_BODY_LIMIT + 1];
export type Body = string | Uint8Array<ArrayBuffer> | undefined;
const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => new Uint8Array(bytes)) },
  { weight: 2, arbitrary: fc.tuple(fc.json(), fc.nat()).map(([j, n]) => j.slice(0, n % (j.length + 1))) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 50_000 }).map((n) => "[".repeat(n) + "]".repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 50_000 }).map((n) => '{"a":'.repeat(n)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...HUGE_SIZES), fc.boolean()).map(([n, quoted]) => (quoted ? `"${"x".repeat(n - 2)}"` : "x".repeat(n))) },
  { weight: 1, arbitrary: fc.constantFrom(" ", "\n\t", "\u00a0", "\u0000", "{}", "null", "[]", '""', "\ufeff{}", '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}') },
  { weight: 2, arbitrary: anyText(200) },
);

export interface Spec {
  open: boolean;
  method: string;
  path: string;
  query: string;
  headers: Partial<Record<string, string>>;
  body: Body;
}

/**
 * A request for `route` (null: a path that is no route). Two thirds are garbage throughout;
 * a third are near-valid (the route's method, a real or well-formed name, plausible query
 * values) with garbage headers and bodies, so the guards and handlers see edge values too.
 */
export function specArb(route: RouteInfo | null, apiPort: number): fc.Arbitrary<Spec> {
  const common = { open: fc.boolean(), headers: headersArb(apiPort), body };
  if (!route) {
    const path = fc.array(fragment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join("/")}`);
    return fc.record({ ...common, method: fc.constantFrom(...METHODS), path, query: queryString([]) });
  }
  const garbage = fc.record({
    ...common,
    method: fc.oneof({ weight: 4, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
    path: pathFor(route),
    query: queryString(route.queryKeys),
  });
  const names = fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...SERVICES) }, { weight: 1, arbitrary: wellFormedName }), {
    minLength: route.params.length,
    maxLength: route.params.length,
  });
  const nearValid = fc.record({
    ...common,
    method: fc.constant(route.method),
    path: names.map((values) => fill(route.path, values)),
    query: plausibleQuery(route.queryKeys),
  });
  return fc.oneof({ weight: 2, arbitrary: garbage }, { weight: 1, arbitrary: nearValid });
}

function fill(template: string, values: string[]): string {
  let i = 0;
  return template.replace(/:(\w+)/g, () => values[i++] ?? "");
}

// ---- requests

/** The Request for a spec, or null when the platform refuses to build one (not the API's business). */
export function toRequest(spec: Spec, apiPort: number): Request | null {
  const headers = new Headers();
  try {
    for (const [k, v] of Object.entries(spec.headers)) if (v !== undefined) headers.set(k, v);
    return new Request(`http://127.0.0.1:${apiPort}${spec.path}${spec.query}`, { method: spec.method, headers, body: spec.body });
  } catch {
    return null;
  }
}

const ACTION_PATH = /^\/orchestrator\/(restart|stop|start)\/([^/]+)$/i;
const jsonType = /^application\/(.+\+)?json\b/i;

/**
 * Whether this request could really act on a known service: it routes (after URL
 * normalisation, percent-decoding, slashes and case) to an action on a real name, it would
 * pass the token check, and its body would not be refused. Deliberately broader than the
 * API's own checks (the Origin is not considered), so nothing that might act is sent.
 */
export async function mayAct(request: Request, open: boolean): Promise<boolean> {
  if (request.method !== "POST") return false;
  const segments = new URL(request.url).pathname.split("/").filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const match = ACTION_PATH.exec(`/${segments.join("/")}`);
  if (!match || !SERVICES.includes(match[2]!.toLowerCase())) return false;
  if (!open && !(request.headers.get("authorization") ?? "").includes(TOKEN)) return false;
  const text = await request.clone().text();
  if (text.length > ACTION_BODY_LIMIT || Number(request.headers.get("content-length") ?? "0") > ACTION_BODY_LIMIT) return false;
  if (text.trim() === "") return true;
  if (!jsonType.test(request.headers.get("content-type") ?? "")) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function label(spec: Spec): string {
  const cut = (s: string) => (s.length > 120 ? `${s.slice(0, 100)}… (${s.length} chars)` : s);
  return `${spec.open ? "open" : "token"} ${spec.method} ${cut(spec.path)}${cut(spec.query)}`;
}

export function expectErrorBody(where: string, status: number, headers: Headers, text: string): void {
  const type = headers.get("content-type") ?? "";
  if (!type.includes("application/json")) throw new Error(`${where}: ${status} with content-type ${JSON.stringify(type)}: ${text.slice(0, 200)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${where}: ${status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  const { error, message } = (parsed ?? {}) as { error?: unknown; message?: unknown };
  if (typeof error !== "string" || typeof message !== "string") throw new Error(`${where}: ${status} without string error and message: ${text.slice(0, 200)}`);
}

// ---- through a real server: Bun's router, not app.handle, decodes the path there

/** Bun answers some requests itself, before the app: a body over maxRequestBodySize, headers too large. */
const SERVER_OWN_REFUSALS = new Set([400, 413, 431]);

/**
 * A generated request as fetch sends it to the server on `port` (fetch sets Host and
 * Content-Length itself and refuses a body on GET and HEAD); null when it cannot be built
 * or could act on a real service (see mayAct; `open`: the server needs no token).
 */
export async function prepareForSocket(generated: Spec, port: number, open: boolean): Promise<{ spec: Spec; request: Request } | null> {
  const { host: _host, "content-length": _length, ...headers } = generated.headers;
  const bodiless = generated.method === "GET" || generated.method === "HEAD";
  const spec: Spec = { ...generated, open, headers, body: bodiless ? undefined : generated.body };
  const request = toRequest(spec, port);
  if (!request || (await mayAct(request, open))) return null;
  return { spec, request };
}

/** Send a prepared request; a failure to get any answer names the request. */
export async function sendPrepared({ spec, request }: { spec: Spec; request: Request }): Promise<{ response: Response; text: string }> {
  try {
    const response = await fetch(request.url, { method: spec.method, headers: request.headers, body: spec.body });
    return { response, text: await response.text() };
  } catch (err) {
    throw new Error(`${label(spec)}: the request failed: ${String(err)}`);
  }
}

/** A real server's answer: no 5xx, and an error is JSON `{error, message}` unless Bun refused it itself (then "refused"). */
export function expectServerAnswer(spec: Spec, response: Response, text: string): "answered" | "refused" {
  if (response.status >= 500) throw new Error(`${label(spec)}: ${response.status} ${text.slice(0, 300)}`);
  if (response.status < 400 || spec.method === "HEAD") return "answered";
  if (response.headers.get("content-type") === null && text === "" && SERVER_OWN_REFUSALS.has(response.status)) return "refused";
  expectErrorBody(label(spec), response.status, response.headers, text);
  return "answered";
}

// ---- the stream: real upgrade requests, raw over TCP so the request target is sent as generated

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** Send one HTTP request over a fresh connection; read the head and (unless 101) a content-length body, then close. */
export function rawRequest(port: number, target: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host: "127.0.0.1", port });
    let buffer = Buffer.alloc(0);
    let settled = false;
    const finish = (answer: RawAnswer | Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (answer instanceof Error) reject(answer);
      else resolve(answer);
    };
    const parse = (ended: boolean) => {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return ended ? finish(new Error(`connection closed before a response head: ${JSON.stringify(buffer.toString("latin1").slice(0, 200))}`)) : undefined;
      const [statusLine, ...lines] = buffer.subarray(0, end).toString("latin1").split("\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? "")?.[1] ?? NaN);
      const parsed = new Headers();
      for (const line of lines) {
        const at = line.indexOf(":");
        if (at > 0) parsed.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      if (status === 101) return finish({ status, headers: parsed, body: "" });
      const length = Number(parsed.get("content-length") ?? NaN);
      const bodyBytes = buffer.subarray(end + 4);
      if (Number.isFinite(length) ? bodyBytes.length >= length : ended) {
        finish({ status, headers: parsed, body: bodyBytes.subarray(0, Number.isFinite(length) ? length : undefined).toString("utf8") });
      }
    };
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      parse(false);
    });
    socket.on("end", () => parse(true));
    socket.on("close", () => parse(true));
    socket.on("error", (err) => finish(err));
    const head = [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
    socket.write(Buffer.from(head, "latin1"));
  });
}

/**
 * Printable ASCII but space: what a request target may hold byte for byte. The rest is
 * percent-encoded (a lone surrogate as its WTF-8 bytes, invalid UTF-8), or Bun's own HTTP
 * parser refuses the request line before the app sees it.
 */
export function asTarget(text: string): string {
  return [...text]
    .map((c) => {
      if (/^[\x21-\x7e]$/.test(c)) return c;
      const code = c.codePointAt(0)!;
      if (code >= 0xd800 && code <= 0xdfff) return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
      return encodeURIComponent(c);
    })
    .join("");
}

export const UPGRADE_HEADERS = { Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13" };
