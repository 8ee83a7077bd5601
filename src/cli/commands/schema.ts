import type { Command } from "../command";
import { toJsonSchema } from "../../manifest/schema";

export const schemaCommand: Command = {
  name: "schema",
  summary: "print the manifest's JSON Schema (for editors: # yaml-language-server: $schema=...)",
  usage: "orchestrator schema",
  flags: [],
  async run(_args, io) {
    io.stdout(JSON.stringify(toJsonSchema(), null, 2) + "\n");
    return 0;
  },
};
