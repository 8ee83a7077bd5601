// Bench fixture for bench/ready-cost.ts: after DELAY_MS, prints `at T` (T: wall time in ms,
// µs precision) and, right after, says it is ready: READY=1 on NOTIFY_SOCKET (VIA=notify), or
// the line `ready now` (VIA=log). Then sleeps until killed.
import { sendDatagram } from "../src/lib/libc-socket";

await Bun.sleep(Number(process.env.DELAY_MS ?? 50));
const at = performance.timeOrigin + performance.now();
if (process.env.VIA === "notify") {
  console.log(`at ${at}`);
  sendDatagram(process.env.NOTIFY_SOCKET!, "READY=1");
} else console.log(`at ${at}\nready now`);
setInterval(() => {}, 1 << 30);
