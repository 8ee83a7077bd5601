/** What every CLI command gets and returns. main.ts parses argv and dispatches by name. */

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Colour output only when the stream is a TTY (and NO_COLOR is unset). */
  color: boolean;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Aborted once stdout cannot be written any more (its reader went away: `logs -f | head`). */
  stdoutGone?: AbortSignal;
}

export interface ParsedArgs {
  /** Positionals after the command name. */
  positionals: string[];
  /** `--flag value`, `--flag=value`, `-c value`; a bare flag is `true`. */
  flags: Record<string, string | boolean>;
}

export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  usage: string;
  /** Flags this command accepts (long names without dashes); anything else is a usage error. */
  flags: string[];
  /** Resolves to the exit code: 0 success, 1 runtime failure, 2 usage or manifest error. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
