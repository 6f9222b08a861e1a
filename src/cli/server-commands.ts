import type { Command } from "commander";

/** `qms mcp` and `qms token` (owned by the MCP server work). */
export function registerServerCommands(program: Command): void {
  program
    .command("mcp")
    .description("run the MCP server (not yet available)")
    .allowUnknownOption()
    .action(() => {
      process.stderr.write("qms mcp: not yet available\n");
      process.exitCode = 1;
    });
}
