/** One POST of an alert, with a timeout; the outcome as data, never a throw. */
import { formatAlert } from "./format";
import type { Alert } from "./alert";
import type { AlertFormat } from "../contract/config";
import { scrubUrl } from "./redact";

export type Delivery = { ok: true } | { ok: false; error: string };

export type PostAlert = (url: string, format: AlertFormat, alert: Alert, timeoutMs: number) => Promise<Delivery>;

/** fetch, bounded by `timeoutMs`; the error never contains the URL. */
export const postAlert: PostAlert = async (url, format, alert, timeoutMs) => {
  const { body, headers } = formatAlert(alert, format);
  try {
    const response = await fetch(url, { method: "POST", body, headers, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) return { ok: true };
    return { ok: false, error: `expected a 2xx answer, got HTTP ${response.status}` };
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    const text = name === "TimeoutError" ? `no answer within ${timeoutMs}ms` : error instanceof Error ? error.message : String(error);
    return { ok: false, error: scrubUrl(text, url) };
  }
};
