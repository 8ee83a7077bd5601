/**
 * Where strict JSON first goes wrong. JSON.parse in Bun gives no position, and a YAML
 * parser accepts much that JSON forbids (trailing commas, comments, single quotes), so a
 * bad package.json is scanned here to point at the offending character.
 */
export interface JsonError {
  offset: number;
  message: string;
}

/** The first syntax error of `text` as strict JSON, or undefined when it parses. */
export function findJsonError(text: string): JsonError | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const found = () => (i >= text.length ? "the end of the file" : JSON.stringify(text[i]));
  const fail = (expected: string): never => {
    throw { offset: i, message: `expected ${expected}, found ${found()}` } satisfies JsonError;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail("a value");
  };
  const string = () => {
    if (text[i] !== '"') fail('a string in double quotes');
    for (i++; i < text.length && text[i] !== '"'; i++) {
      if (text.charCodeAt(i) < 0x20) fail('a closing \'"\'');
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 4;
        else if (!'"\\/bfnrt'.includes(text[i] ?? "x")) fail("a valid escape");
      }
    }
    if (i >= text.length) fail('a closing \'"\'');
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail("a value");
    i += m![0].length;
  };
  const list = (close: string, item: () => void) => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      ws();
      if (text[i] === close) return void i++;
      if (text[i] !== ",") fail(`"," or "${close}"`);
      i++;
      ws();
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{")
      list("}", () => {
        string();
        ws();
        if (text[i] !== ":") fail('":"');
        i++;
        value();
      });
    else if (c === "[") list("]", value);
    else if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else number();
  };
  try {
    value();
    ws();
    if (i < text.length) fail("the end of the file");
    return undefined;
  } catch (err) {
    return err instanceof Error ? undefined : (err as JsonError); // an Error: nesting too deep to scan
  }
}

/** 1-based line and column of `offset` in `text`. */
export function positionAt(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, col: offset - (before.lastIndexOf("\n") + 1) + 1 };
}
