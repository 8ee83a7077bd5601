/** ANSI colours, only when the output is a TTY. */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const wrap = (code: number, on: boolean) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

export function makeStyle(color: boolean): Style {
  return { bold: wrap(1, color), dim: wrap(2, color), red: wrap(31, color), green: wrap(32, color), yellow: wrap(33, color), cyan: wrap(36, color) };
}
