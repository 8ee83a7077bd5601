/** Human renderings for the client: durations, sizes, clock times and aligned tables. */
export { clockTime, humanBytes } from "../../lib/format";

/** 3s, 4m, 2h, 3d: the largest whole unit (under a second is "0s"). */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${Math.max(0, s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** A cell: its plain text (for widths) and how to paint it once padded. */
export interface Cell {
  text: string;
  paint?: (s: string) => string;
}

/**
 * Rows of cells → lines with columns padded to the widest cell, two spaces apart; colour is
 * applied after padding so escape codes never upset the alignment. Trailing space is trimmed.
 */
export function renderTable(rows: Cell[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.text.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const padded = i === row.length - 1 ? cell.text : cell.text.padEnd(widths[i]);
        return cell.paint ? paintPadded(padded, cell.text.length, cell.paint) : padded;
      })
      .join("  ")
      .trimEnd(),
  );
}

function paintPadded(padded: string, length: number, paint: (s: string) => string): string {
  return length === 0 ? padded : paint(padded.slice(0, length)) + padded.slice(length);
}
