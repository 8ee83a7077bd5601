import { expect, test } from "bun:test";
import { SIZE_PATTERN, parseSize } from "../../src/lib/size";

test.each([
  [0, 0],
  [4096, 4096],
  ["512KiB", 512 * 1024],
  ["64MiB", 64 * 1024 ** 2],
  ["1GiB", 1024 ** 3],
  ["1.5GiB", 1.5 * 1024 ** 3],
  ["10MB", 10_000_000],
  ["10M", 10_000_000],
  ["2k", 2000],
  [" 3 mib ", 3 * 1024 ** 2],
  ["100b", 100],
])("%p is %p bytes", (input, bytes) => {
  expect(parseSize(input)).toBe(bytes);
  if (typeof input === "string") expect(new RegExp(SIZE_PATTERN).test(input)).toBe(true);
});

test.each([-1, 1.5, "", "1 GiB extra", "1XB", "MiB", "1e3", "Infinity", null, true, {}])("%p is not a size", (input) => {
  expect(parseSize(input)).toBeUndefined();
  if (typeof input === "string") expect(new RegExp(SIZE_PATTERN).test(input)).toBe(false);
});
