/**
 * Framing and sniffing. Every response says `X-Frame-Options: DENY`, `X-Content-Type-Options:
 * nosniff` and a Content-Security-Policy: API answers allow nothing at all; our HTML pages (the
 * dashboard, the docs) allow only the binary's own scripts, styles and images, plus the inline
 * blocks they carry by hash, and no page may frame them (`frame-ancestors 'none'`).
 */
import { createHash } from "node:crypto";
import { Elysia } from "elysia";

export const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

const BASE_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": API_POLICY,
} as const;

export interface PagePolicyOptions {
  /** Inline `<script>` / `<style>` blocks the page carries, allowed by their SHA-256. */
  inlineScripts?: readonly string[];
  inlineStyles?: readonly string[];
  /** Where the page may open connections besides its own origin, e.g. `ws://127.0.0.1:9000`. */
  connect?: readonly string[];
}

/** The policy of one of our pages: its own origin only, and nothing may frame it. */
export function pagePolicy(options: PagePolicyOptions = {}): string {
  const hashes = (blocks: readonly string[] = []) => blocks.map((b) => ` 'sha256-${createHash("sha256").update(b, "utf8").digest("base64")}'`).join("");
  return [
    "default-src 'none'",
    `script-src 'self'${hashes(options.inlineScripts)}`,
    `style-src 'self'${hashes(options.inlineStyles)}`,
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${(options.connect ?? []).map((c) => ` ${c}`).join("")}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The policy for an HTML page, allowing exactly the inline `<script>` and `<style>` blocks in it. */
export function policyForHtml(html: string, connect: readonly string[] = []): string {
  const blocks = (tag: "script" | "style") =>
    [...html.matchAll(new RegExp(`<${tag}\\b([^>]*)>([\\s\\S]*?)</${tag}>`, "gi"))].filter((m) => !/\bsrc\s*=/i.test(m[1]!)).map((m) => m[2]!);
  return pagePolicy({ inlineScripts: blocks("script"), inlineStyles: blocks("style"), connect });
}

/** The stream's origins for a page served to `request` (the Host was checked before this runs). */
export function streamOrigins(request: Request): string[] {
  const host = request.headers.get("host");
  return host ? [`ws://${host}`, `wss://${host}`] : [];
}

/** Put the base headers on every response, errors included (a route may set a page policy over them). */
export function securityHeaders() {
  return new Elysia({ name: "orchestrator-security-headers" }).onRequest(({ set }) => {
    Object.assign(set.headers, BASE_HEADERS);
  });
}
