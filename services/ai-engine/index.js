// ai-engine: transaction risk scoring (phase intelligence, port 4104 from config.port, health /health).
// It listens at once but answers 503 until its "model" has loaded (~1.5 s, WARMUP_MS).
import { startService } from "../_lib/service.js";

const WARMUP_MS = Number(process.env.WARMUP_MS ?? 1500);
const MODEL = { name: "azora-risk", version: "2024.11", features: ["amount", "country", "hour"] };
let ready = false;
let scored = 0;

const { log } = startService({
  name: "ai-engine",
  port: 4104,
  healthPath: "/health",
  ready: () => ready,
  routes: {
    // POST /v1/score {"amount": 1200, "country": "ZA"} -> {"riskScore": 0..1, "decision"}
    "POST /v1/score": ({ body }) => {
      if (!ready) return { status: 503, body: { error: "warming_up", message: `model ${MODEL.name} is still loading` } };
      const amount = Number(body.amount);
      if (!(amount >= 0)) return { status: 400, body: { error: "bad_request", message: 'expected {"amount": <number >= 0>}' } };
      const base = Math.min(amount / 10000, 0.8);
      const riskScore = Math.round(Math.min(1, base + (body.country && body.country !== "ZA" ? 0.15 : 0) + Math.random() * 0.05) * 1000) / 1000;
      scored++;
      return { riskScore, decision: riskScore > 0.7 ? "review" : "approve", model: `${MODEL.name}@${MODEL.version}` };
    },
    "GET /v1/models": () => ({ models: [{ ...MODEL, loaded: ready }] }),
  },
  heartbeat: () => ({ modelLoaded: ready, scored }),
});

log("info", `loading model ${MODEL.name}@${MODEL.version}`, { warmupMs: WARMUP_MS });
setTimeout(() => {
  ready = true;
  log("info", "model loaded, ready to score");
}, WARMUP_MS).unref();
