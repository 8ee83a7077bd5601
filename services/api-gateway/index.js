// api-gateway: the public /api/v1 surface; every call is authenticated against auth
// (phase core, port 4102, health /status only).
import { startService, callUpstream } from "../_lib/service.js";

const AUTH_URL = process.env.AUTH_URL || "http://127.0.0.1:4101";
const upstreams = {
  auth: AUTH_URL,
  mint: process.env.MINT_URL || "http://127.0.0.1:4103",
  "ai-engine": process.env.AI_ENGINE_URL || "http://127.0.0.1:4104",
  notifications: process.env.NOTIFICATIONS_URL || "http://127.0.0.1:4105",
};
let proxied = 0;

startService({
  name: "api-gateway",
  port: 4102,
  healthPath: "/status",
  routes: {
    // POST /api/v1/login {"user": "alice"} -> a session token from auth
    "POST /api/v1/login": async ({ body }) => {
      proxied++;
      return callUpstream(`${AUTH_URL}/api/v1/token`, { method: "POST", body });
    },
    // GET /api/v1/me with "Authorization: Bearer <token>" -> who the caller is, as auth sees it
    "GET /api/v1/me": async ({ req }) => {
      proxied++;
      const verified = await callUpstream(`${AUTH_URL}/api/v1/verify`, { headers: { authorization: req.headers.authorization || "" } });
      if (verified.status !== 200) return verified;
      return { user: verified.body.user, sessionExpiresAt: verified.body.expiresAt, via: "api-gateway" };
    },
    "GET /api/v1/routes": () => ({ upstreams }),
  },
  heartbeat: () => ({ proxied }),
});
