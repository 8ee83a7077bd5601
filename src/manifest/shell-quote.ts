/**
 * Shell quoting for `${VAR}` values substituted into a command string (run under `sh -c`),
 * so that a value is always one literal word: `world; touch /tmp/x` prints, it never runs.
 * The quoting depends on where the reference sits in the string, which a scanner follows
 * as the shell would read it:
 *   unquoted        ${V}   → 'value' (an embedded ' becomes '\'')
 *   double-quoted  "${V}"  → value with " \ $ ` escaped by a backslash
 *   single-quoted  '${V}'  → value with ' written as '\'' (close, quoted quote, reopen)
 *   a comment      # ${V}  → as is, unless it holds a newline (which would end the comment)
 * A value made only of characters no shell treats specially (letters, digits, `_ . / : , @ % + -`)
 * is left as is everywhere, so `PORT=${PORT:-3000} exec node server.js` stays a simple
 * command that the spawner can exec without a shell. An empty value adds nothing.
 * Where the scanner cannot be sure how the shell will read the text (inside backticks, after
 * `<<` (a here-document), a `case` inside `$(...)`, or right after a backslash), a value
 * that needs quoting is refused with a message instead of being guessed at.
 */

export type ShellContext = "unquoted" | "double" | "single" | "comment" | "unsure";

/** Characters that mean nothing to sh in any context (no quotes, `$`, `\`, `=`, globs, blanks, `#`, `~`). */
const SAFE = /^[A-Za-z0-9_./:,@%+-]+$/;

export type Quoted = { ok: true; text: string } | { ok: false; reason: string };

/** `value` written so that the shell reads it back literally in `context`. */
export function quoteForShell(value: string, context: ShellContext, escaped = false): Quoted {
  if (value === "" || SAFE.test(value)) return { ok: true, text: value };
  if (escaped && context !== "single" && context !== "comment") return { ok: false, reason: "right after a backslash" };
  switch (context) {
    case "unquoted":
      return { ok: true, text: `'${value.replace(/'/g, "'\\''")}'` };
    case "double":
      return { ok: true, text: value.replace(/["\\$`]/g, "\\$&") };
    case "single":
      return { ok: true, text: value.replace(/'/g, "'\\''") };
    case "comment":
      return /[\n\r]/.test(value) ? { ok: false, reason: "in a comment (its newline would end the comment)" } : { ok: true, text: value };
    case "unsure":
      return { ok: false, reason: "inside backticks, a here-document or a case in $(...)" };
  }
}

interface Frame {
  /** The quoting around a `$(`, restored at its `)`. */
  outer: "unquoted" | "double";
  depth: number;
}

/**
 * Follows a command string from left to right and says, for any offset reached so far,
 * how the shell reads the text there. Offsets must be asked for in increasing order; the
 * text between them is read as written, except `skip`ped ranges (our own `${...}`
 * references, which become literal words), and `$$`, which is our escape for `$`.
 */
export class ShellScanner {
  private i = 0;
  private quote: "unquoted" | "double" | "single" = "unquoted";
  private escaped = false;
  private comment = false;
  private unsure = false;
  private wordStart = true;
  private readonly frames: Frame[] = [];

  constructor(private readonly text: string) {}

  /** The context at `offset` and whether a backslash escapes the character there. */
  contextAt(offset: number): { context: ShellContext; escaped: boolean } {
    while (this.i < offset) this.step();
    const context: ShellContext = this.unsure ? "unsure" : this.comment ? "comment" : this.quote;
    return { context, escaped: this.escaped };
  }

  /** Move past a substituted reference ending at `end`: a literal word part, no change of state. */
  skipTo(end: number): void {
    this.i = end;
    this.escaped = false;
    this.wordStart = false;
  }

  private step(): void {
    const c = this.text[this.i];
    const next = this.text[this.i + 1];
    this.i++;
    if (this.comment) {
      if (c === "\n") [this.comment, this.wordStart] = [false, true];
      return;
    }
    if (this.escaped) {
      this.escaped = false;
      this.wordStart = false;
      return;
    }
    if (this.quote === "single") {
      if (c === "'") this.quote = "unquoted";
      return;
    }
    if (c === "\\") {
      this.escaped = true;
      return;
    }
    if (c === "`") this.unsure = true;
    if (c === "$" && next === "$") {
      this.i++; // our `$$`: one literal `$` for the shell, read below as the `$` it becomes
      this.readDollar(this.text[this.i]);
      return;
    }
    if (c === "$") return this.readDollar(next);
    if (this.quote === "double") {
      if (c === '"') this.quote = "unquoted"; // quotes opened inside a `$(` close inside it
      return;
    }
    this.readUnquoted(c, next);
  }

  private readDollar(next: string | undefined): void {
    this.wordStart = false;
    if (next !== "(") return;
    this.i++;
    this.frames.push({ outer: this.quote === "double" ? "double" : "unquoted", depth: 0 });
    this.quote = "unquoted";
    this.wordStart = true;
  }

  private readUnquoted(c: string, next: string | undefined): void {
    const frame = this.frames.at(-1);
    if (c === "'") this.quote = "single";
    else if (c === '"') this.quote = "double";
    else if (c === "#" && this.wordStart) this.comment = true;
    else if (c === "<" && next === "<") this.unsure = true;
    else if (frame && c === "(") frame.depth++;
    else if (frame && c === ")") {
      if (frame.depth > 0) frame.depth--;
      else this.quote = this.frames.pop()!.outer;
    } else if (frame && this.wordStart && this.text.startsWith("case", this.i - 1) && !/\w/.test(this.text[this.i + 3] ?? "")) {
      this.unsure = true; // its patterns' `)` would end the `$(` as far as this scanner can tell
    }
    this.wordStart = /[\s;&|()]/.test(c);
  }
}
