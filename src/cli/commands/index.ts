/** Every command the CLI knows, in the order `--help` lists them. */
import type { Command } from "../command";
import { restartCommand, startCommand, stopCommand } from "./actions";
import { checkCommand } from "./check";
import { exportCommand } from "./export";
import { graphCommand } from "./graph";
import { logsCommand } from "./logs";
import { planCommand } from "./plan";
import { schemaCommand } from "./schema";
import { statusCommand } from "./status";
import { upCommand } from "./up";
import { whyCommand } from "./why";

export const COMMANDS: Command[] = [
  upCommand,
  checkCommand,
  planCommand,
  graphCommand,
  statusCommand,
  restartCommand,
  stopCommand,
  startCommand,
  logsCommand,
  whyCommand,
  schemaCommand,
  exportCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}
