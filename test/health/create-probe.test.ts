import { expect, test } from "bun:test";
import { createProbe } from "../../src/health/create-probe";
import { findUser } from "../../src/lib/libc";

const HOST = "127.0.0.1";

test("health: false (check null) means no probe", () => {
  expect(createProbe(null)).toBeNull();
});

test("an http check without its own port probes the service's port", async () => {
  const server = Bun.serve({ hostname: HOST, port: 0, fetch: (req) => new Response("", { status: new URL(req.url).pathname === "/status" ? 200 : 404 }) });
  try {
    const probe = createProbe({ kind: "http", endpoints: ["/health", "/status"], host: HOST }, { port: server.port as number });
    expect(await probe!.check(2000)).toMatchObject({ ok: true, endpoint: "/status" });
  } finally {
    server.stop(true);
  }
});

test("an http check with no port anywhere fails every check with a message that says so", async () => {
  const result = await createProbe({ kind: "http", endpoints: ["/health"], host: HOST })!.check(1000);
  expect(result.ok).toBe(false);
  expect(result.error).toContain("no port");
});

test("tcp and exec checks become their probes", async () => {
  const listener = Bun.listen({ hostname: HOST, port: 0, socket: { data() {} } });
  try {
    expect(await createProbe({ kind: "tcp", port: listener.port, host: HOST })!.check(2000)).toMatchObject({ ok: true, endpoint: `${HOST}:${listener.port}` });
  } finally {
    listener.stop(true);
  }
  expect(await createProbe({ kind: "exec", command: "exit 1" })!.check(2000)).toMatchObject({ ok: false, error: "exit code 1" });
});

test("an exec check of a service with an account runs as it, with its HOME, USER and LOGNAME unless its env sets them", async () => {
  const account = { user: "postgres", uid: 101, group: "postgres", gid: findUser("postgres")!.gid, groups: [], home: "/var/lib/postgresql" };
  const check = { kind: "exec" as const, command: 'test "$(id -u)" = 101 && test "$HOME $USER $LOGNAME" = "$EXPECT"' };
  const PATH = process.env.PATH ?? "/usr/bin:/bin";
  const own = createProbe(check, { env: { PATH, EXPECT: "/var/lib/postgresql postgres postgres" }, account })!;
  expect(await own.check(5000)).toMatchObject({ ok: true });
  const set = createProbe(check, { env: { PATH, HOME: "/srv/db", EXPECT: "/srv/db postgres postgres" }, account })!;
  expect(await set.check(5000)).toMatchObject({ ok: true });
  const wrong = createProbe(check, { env: { PATH, EXPECT: "/root root root" }, account })!;
  expect(await wrong.check(5000)).toMatchObject({ ok: false });
});
