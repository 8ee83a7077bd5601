import type { Command } from "../command";

export const schemaCommand: Command = {
  name: "schema",
  summary: "print the manifest's JSON Schema (for editors: # yaml-language-server: $schema=...)",
  usage: "orchestrator schema",
  flags: [],
  async run(_args, io) {
    const { toJsonSchema } = await import("../../manifest/schema"); // the schemas are built as the module loads: only here
    io.stdout(JSON.stringify(toJsonSchema(), null, 2) + "\n");
    return 0;
  },
};
