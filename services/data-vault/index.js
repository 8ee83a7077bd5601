// data-vault: the critical in-memory record store (phase critical, port 4100, health /health).
import { startService } from "../_lib/service.js";

const records = new Map(); // key -> { value, version, updatedAt }
let writes = 0;

startService({
  name: "data-vault",
  port: 4100,
  healthPath: "/health",
  routes: {
    "GET /v1/records/:key": ({ params }) => {
      const record = records.get(params.key);
      return record ? { key: params.key, ...record } : { status: 404, body: { error: "not_found", message: `no record "${params.key}"` } };
    },
    "PUT /v1/records/:key": ({ params, body }) => {
      if (body.value === undefined) return { status: 400, body: { error: "bad_request", message: 'expected a JSON body {"value": ...}' } };
      const version = (records.get(params.key)?.version ?? 0) + 1;
      records.set(params.key, { value: body.value, version, updatedAt: new Date().toISOString() });
      writes++;
      return { key: params.key, version };
    },
    "DELETE /v1/records/:key": ({ params }) => ({ key: params.key, deleted: records.delete(params.key) }),
    "GET /v1/stats": () => ({ records: records.size, writes }),
  },
  heartbeat: () => ({ records: records.size, writes }),
});
