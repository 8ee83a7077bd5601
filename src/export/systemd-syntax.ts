/** One `[Section]` of a unit file: its settings in order; a key may repeat. */
export interface UnitSection {
  name: string;
  settings: [string, string][];
}

/** A unit name part: systemd allows letters, digits and `:_.\-`; anything else becomes `-`. */
export function toUnitName(name: string): string {
  return name.replace(/[^A-Za-z0-9:_.-]+/g, "-");
}

// `%` starts a specifier and `$` a variable in command lines; doubling keeps them literal.
function escapeSpecifiers(text: string): string {
  return text.replaceAll("%", "%%");
}

function quote(text: string): string {
  const escaped = text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n").replaceAll("\t", "\\t");
  return `"${escaped}"`;
}

/** One argv word of ExecStart=: `%` and `$` doubled, quoted when it has anything but safe characters. */
export function quoteExecArg(arg: string): string {
  const literal = escapeSpecifiers(arg).replaceAll("$", "$$$$");
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(literal) ? literal : quote(literal);
}

/**
 * An ExecStart= value: an absolute argv[0] runs as is, anything else through /usr/bin/env
 * so the service's PATH finds it (systemd resolves bare names only in its own fixed path).
 */
export function renderExecLine(argv: string[]): string {
  const words = argv[0]?.startsWith("/") ? argv : ["/usr/bin/env", ...argv];
  return words.map(quoteExecArg).join(" ");
}

/** One Environment= assignment, quoted; systemd does not expand `$` here, only `%`. */
export function quoteEnvironment(key: string, value: string): string {
  return quote(escapeSpecifiers(`${key}=${value}`));
}

/** Serialises a unit: header comment, then the sections separated by blank lines. */
export function renderUnitFile(header: string, sections: UnitSection[]): string {
  const body = sections
    .filter((s) => s.settings.length > 0)
    .map((s) => [`[${s.name}]`, ...s.settings.map(([k, v]) => `${k}=${v}`)].join("\n"))
    .join("\n\n");
  return `${header}\n${body}\n`;
}
