import * as path from "node:path";
import { runDir } from "../store/state-dir.js";
import type { Logger } from "../mcp/log.js";
import type { Clock } from "./clock.js";
import type { AgentSettings } from "./config.js";
import {
  agentContainerName,
  ChannelRunner,
  containerClaudeCommand,
  containerExec,
  CountingRunner,
  type DeliveryRunner,
  HeadlessRunner,
  hostClaudeCommand,
  InteractiveRunner,
  localExec,
} from "./delivery.js";

/**
 * `agents/NAME` in the project's run folder (outside the project, like every run file: no container reads
 * another agent's transcript): transcript.jsonl, conversation.json (and, in HOST MODE, the Claude config).
 */
export function agentRunDir(projectRoot: string, agent: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(runDir(projectRoot, env), "agents", agent);
}

export interface RunnerFactoryOptions {
  projectRoot: string;
  /** The container CLI (`docker` or `podman`, Engine.cli in src/session/engine.ts); undefined = HOST MODE. */
  engineCli?: string;
  /** `claude` inside the container, or the host binary in HOST MODE. */
  claudeBin?: string;
  /** Passed as `--allowedTools` (the kit's settings file already allows `mcp__qms__*`). */
  allowedTools?: readonly string[];
  /** HOST MODE: the agent's own CLAUDE_CONFIG_DIR (default `<run dir>/claude-config`). */
  hostConfigDir?(agent: string): string;
  /** HOST MODE: where the agent's Claude Code runs (default the project root). */
  hostCwd?(agent: string): string;
  /** HOST MODE: its environment (token, MCP URL, ...); default this process's. */
  hostEnv?(agent: string): NodeJS.ProcessEnv;
  /** HOST MODE: more arguments for every run (its MCP config, its instructions). */
  hostArgs?(agent: string): string[];
  /** `delivery: channel`: hand the text to the agent's connected `qms proxy`; false when none is connected. */
  channelEmit?(agent: string, notification: string): boolean | Promise<boolean>;
  clock?: Clock;
  logger?: Logger;
}

/** `HubOptions.runnerFor`: the runner of each delivery mode, in containers or in HOST MODE. */
export function createRunnerFactory(opts: RunnerFactoryOptions): (agent: string, settings: AgentSettings) => DeliveryRunner {
  const common = { ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.logger ? { logger: opts.logger } : {}) };
  return (agent, settings) => {
    const runDir = agentRunDir(opts.projectRoot, agent);
    switch (settings.delivery) {
      case "none":
        return new CountingRunner();
      case "channel":
        return new ChannelRunner((text) => opts.channelEmit?.(agent, text) ?? false);
      case "interactive":
        return new InteractiveRunner({
          exec: opts.engineCli ? containerExec(opts.engineCli, agentContainerName(agent)) : localExec,
          target: opts.engineCli ? "agent" : agentContainerName(agent),
          ...(opts.clock ? { clock: opts.clock } : {}),
        });
      default:
        return new HeadlessRunner({
          agent,
          runDir,
          ...common,
          mode: opts.engineCli ? "headless" : "host",
          command: opts.engineCli
            ? containerClaudeCommand({ engineCli: opts.engineCli, container: agentContainerName(agent), ...(opts.claudeBin ? { claudeBin: opts.claudeBin } : {}), ...(opts.allowedTools ? { allowedTools: opts.allowedTools } : {}) })
            : hostClaudeCommand({
                ...(opts.claudeBin ? { claudeBin: opts.claudeBin } : {}),
                configDir: opts.hostConfigDir?.(agent) ?? path.join(runDir, "claude-config"),
                cwd: opts.hostCwd?.(agent) ?? opts.projectRoot,
                ...(opts.hostEnv ? { env: opts.hostEnv(agent) } : {}),
                ...(opts.hostArgs ? { extraArgs: opts.hostArgs(agent) } : {}),
                ...(opts.allowedTools ? { allowedTools: opts.allowedTools } : {}),
              }),
        });
    }
  };
}
