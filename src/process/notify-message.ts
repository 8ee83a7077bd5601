/** One sd_notify(3) datagram: newline-separated `KEY=VALUE` assignments. */

/** The assignments of `text`, later ones winning; a line without `=` is skipped (systemd does the same). */
export function parseNotifyMessage(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return fields;
}
