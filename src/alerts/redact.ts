/** Alert URLs often carry a token (Slack webhooks, ntfy topics): only scheme and host are ever shown. */

/** `https://hooks.slack.com/…` for `https://hooks.slack.com/services/T0/B0/secret`. */
export function redactUrl(url: string): string {
  try {
    const { protocol, host } = new URL(url);
    return `${protocol}//${host}/…`;
  } catch {
    return "(not a URL)";
  }
}

/** `text` with every appearance of `url` (and of its path) replaced by its redacted form. */
export function scrubUrl(text: string, url: string): string {
  let out = text.split(url).join(redactUrl(url));
  try {
    const { pathname, search } = new URL(url);
    const secret = `${pathname}${search}`;
    if (secret.length > 1) out = out.split(secret).join("/…");
  } catch {
    // not a URL: nothing more of it can appear
  }
  return out;
}
