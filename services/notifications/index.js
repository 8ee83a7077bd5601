// notifications: queues e-mail/SMS/push messages (phase user-facing, port 4105, optional, health /health).
import { startService, randomId } from "../_lib/service.js";

const CHANNELS = ["email", "sms", "push"];
const DELIVERY_MS = 1000; // a queued message counts as sent after this long
const outbox = []; // newest last, capped at 500

const view = (m) => ({ ...m, state: Date.now() - Date.parse(m.queuedAt) >= DELIVERY_MS ? "sent" : "queued" });

startService({
  name: "notifications",
  port: 4105,
  healthPath: "/health",
  routes: {
    // POST /notify {"to": "alice", "channel": "email", "message": "Your payout is on its way"}
    "POST /notify": ({ body }) => {
      const channel = body.channel || "email";
      if (typeof body.to !== "string" || !body.to || typeof body.message !== "string" || !CHANNELS.includes(channel)) {
        return { status: 400, body: { error: "bad_request", message: `expected {"to", "message", "channel": one of ${CHANNELS.join("|")}}` } };
      }
      const msg = { id: randomId("msg"), to: body.to, channel, message: body.message, queuedAt: new Date().toISOString() };
      outbox.push(msg);
      if (outbox.length > 500) outbox.shift();
      return { status: 202, body: view(msg) };
    },
    "GET /outbox": () => ({ count: outbox.length, messages: outbox.slice(-20).reverse().map(view) }),
  },
  heartbeat: () => ({ outbox: outbox.length, queued: outbox.map(view).filter((m) => m.state === "queued").length }),
});
