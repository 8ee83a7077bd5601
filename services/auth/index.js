// auth: issues and verifies session tokens kept in data-vault (phase critical, port 4101, health /api/health only).
import { startService, callUpstream, randomId } from "../_lib/service.js";

const VAULT_URL = process.env.DATA_VAULT_URL || "http://127.0.0.1:4100";
const TOKEN_TTL_MS = 60 * 60 * 1000;
let issued = 0;

/** Reads the token from "Authorization: Bearer ..." or ?token=. */
const tokenOf = ({ req, query }) => (req.headers.authorization || "").replace(/^Bearer\s+/i, "") || query.token || "";

startService({
  name: "auth",
  port: 4101,
  healthPath: "/api/health",
  routes: {
    // POST /api/v1/token {"user": "alice"} -> {"token", "expiresAt"}
    "POST /api/v1/token": async ({ body }) => {
      if (typeof body.user !== "string" || !body.user) return { status: 400, body: { error: "bad_request", message: 'expected {"user": "<name>"}' } };
      const token = randomId("tok");
      const expiresAt = new Date(Date.now() + TOKEN_TTL_MS).toISOString();
      const saved = await callUpstream(`${VAULT_URL}/v1/records/session:${token}`, { method: "PUT", body: { value: { user: body.user, expiresAt } } });
      if (saved.status !== 200) return { status: 502, body: { error: "upstream_error", message: `data-vault answered ${saved.status}` } };
      issued++;
      return { token, user: body.user, expiresAt };
    },
    // GET /api/v1/verify with "Authorization: Bearer <token>" -> {"valid", "user"}
    "GET /api/v1/verify": async (ctx) => {
      const token = tokenOf(ctx);
      if (!token) return { status: 401, body: { valid: false, error: "unauthorized", message: "expected Authorization: Bearer <token>" } };
      const found = await callUpstream(`${VAULT_URL}/v1/records/session:${encodeURIComponent(token)}`);
      const session = found.status === 200 ? found.body.value : null;
      if (!session || Date.parse(session.expiresAt) < Date.now()) return { status: 401, body: { valid: false, error: "unauthorized", message: "unknown or expired token" } };
      return { valid: true, user: session.user, expiresAt: session.expiresAt };
    },
  },
  heartbeat: () => ({ tokensIssued: issued, vault: VAULT_URL }),
});
