import { Command, CommanderError, Option } from "commander";
import { registerDocumentCommands } from "./document-commands.js";
import { registerKitCommands } from "./kit-commands.js";
import { registerServerCommands } from "./server-commands.js";
import { registerUiCommand } from "./ui-command.js";
import { VERSION } from "../core/package-version.js";

/** Build the `qms` program. Heavy modules (services, MCP SDK, session kit) load only inside actions. */
export function buildProgram(): Command {
  const program = new Command("qms")
    .description("QMS: GMP-style document control for AI agents (CLI and MCP server)")
    .version(VERSION, "-V, --version")
    .addOption(new Option("-u, --user <name>", "act as this QMS user").env("QMS_USER"))
    .showHelpAfterError("(run qms --help for usage)")
    // Program options end at the command (so `read --version 1.0` is read's); document commands also take
    // their own --user after it (document-commands.ts).
    .enablePositionalOptions()
    .exitOverride();
  registerDocumentCommands(program);
  registerServerCommands(program);
  registerUiCommand(program);
  registerKitCommands(program);
  return program;
}

/** Parse `argv` with the full command-line grammar and run the command; returns the exit code. */
export async function runProgram(argv: string[]): Promise<number> {
  const program = buildProgram();
  if (withoutGlobalOptions(argv).length === 0) {
    // bare `qms` (or `qms --user U`): the help, as asked for, on stdout
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
        return 0;
      }
      return 2;
    }
    throw err;
  }
}

/** argv without the leading global `--user` options. */
function withoutGlobalOptions(argv: string[]): string[] {
  let i = 0;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === "-u" || a === "--user") i += 2;
    else if (a.startsWith("--user=") || (a.startsWith("-u") && a.length > 2)) i += 1;
    else break;
  }
  return argv.slice(i);
}
