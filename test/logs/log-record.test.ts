/** The records of a service's log file: time (ISO-8601 UTC, ms) and stream on every line, raw or JSON. */
import { describe, expect, test } from "bun:test";
import { formatLogRecord, formatTimestamp } from "../../src/logs/log-record";

const TS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

describe("formatLogRecord", () => {
  test("raw: `ts stream line`, the line as printed", () => {
    expect(formatLogRecord("raw", TS, "stdout", "ready to accept connections")).toBe("2026-01-02T03:04:05.678Z stdout ready to accept connections");
    expect(formatLogRecord("raw", TS, "stderr", "  indented {not json}")).toBe("2026-01-02T03:04:05.678Z stderr   indented {not json}");
  });

  test("json: one {ts, stream, line} object, and any line reads back exactly", () => {
    const lines = ['say "hi"\\', "tab\there", "\u001b[31mred\u001b[0m", "😀 ünï", "", '{"already":"json"}'];
    for (const line of lines) {
      const text = formatLogRecord("json", TS, "stderr", line);
      expect(text).not.toContain("\n");
      expect(JSON.parse(text)).toEqual({ ts: "2026-01-02T03:04:05.678Z", stream: "stderr", line });
    }
  });

  test("the orchestrator's own notes carry the stream `orchestrator`", () => {
    expect(formatLogRecord("raw", TS, "orchestrator", "[orchestrator: 3 lines dropped]")).toBe("2026-01-02T03:04:05.678Z orchestrator [orchestrator: 3 lines dropped]");
  });

  test("times are UTC whatever the zone, and a run of lines in one millisecond shares it; a time Date cannot show never throws", () => {
    expect(formatTimestamp(0)).toBe("1970-01-01T00:00:00.000Z");
    expect(formatTimestamp(TS)).toBe("2026-01-02T03:04:05.678Z");
    expect(formatTimestamp(TS + 1)).toBe("2026-01-02T03:04:05.679Z");
    expect(formatTimestamp(Number.NaN)).toBe("NaN");
    expect(formatTimestamp(1e20)).toBe("100000000000000000000");
  });
});
