// mint: B2B token minting with an append-only ledger, each entry mirrored to data-vault
// (phase b2b, port 4103 from PORT=... in its start script, health /ping only).
import { startService, callUpstream, randomId } from "../_lib/service.js";

const VAULT_URL = process.env.DATA_VAULT_URL || "http://127.0.0.1:4100";
const ledger = []; // newest last
let supply = 0;

startService({
  name: "mint",
  port: 4103,
  healthPath: "/ping",
  routes: {
    // POST /mint {"to": "acct_1", "amount": 25, "asset": "AZR"} -> {"txId", ...}
    "POST /mint": async ({ body, log }) => {
      const amount = Number(body.amount);
      if (typeof body.to !== "string" || !body.to || !(amount > 0)) {
        return { status: 400, body: { error: "bad_request", message: 'expected {"to": "<account>", "amount": <positive number>}' } };
      }
      const tx = { txId: randomId("tx"), to: body.to, amount, asset: body.asset || "AZR", mintedAt: new Date().toISOString() };
      ledger.push(tx);
      supply += amount;
      // The ledger is the source of truth; the vault copy is best effort.
      const mirrored = await callUpstream(`${VAULT_URL}/v1/records/tx:${tx.txId}`, { method: "PUT", body: { value: tx } }).then(
        (r) => r.status === 200,
        (err) => (log("warn", "could not mirror tx to data-vault", { txId: tx.txId, error: err.message }), false),
      );
      return { status: 201, body: { ...tx, mirrored } };
    },
    "GET /ledger": ({ query }) => ({ supply, count: ledger.length, entries: ledger.slice(-Math.min(Number(query.limit) || 20, 100)).reverse() }),
  },
  heartbeat: () => ({ ledgerEntries: ledger.length, supply }),
});
