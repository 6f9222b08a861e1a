import type { Command } from "commander";

/** `qms session`, `qms proxy`, `qms doctor`, `qms container-entrypoint` (owned by the container kit work). */
export function registerKitCommands(_program: Command): void {}
