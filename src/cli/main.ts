/**
 * The `liaison` command line (DESIGN.md §2).
 */
import { Command } from "commander";
import { ConfigError, loadConfigFile } from "../config/load.js";
import { registerServeCommand } from "./serve.js";
import { registerKeyCommands } from "./keys.js";
import { registerTeamCommands } from "./teams.js";
import { registerUsageCommand } from "./usage.js";
import { registerLogCommands } from "./logs.js";
import { loadDotEnv } from "./dotenv.js";
import { registerPriceCommands } from "./prices.js";
import { registerRouterCommands } from "./router.js";
import { registerWorkflowCommands } from "./workflows.js";
import { registerPromptCommands } from "./prompts.js";
import { registerProviderCommands } from "./providers.js";

function fail(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`liaison: ${(err as Error)?.message ?? String(err)}\n`);
  }
  process.exit(1);
}

// ./.env before anything reads the environment; variables already set win over it.
try {
  loadDotEnv();
} catch (err) {
  fail(err);
}

const program = new Command()
  .name("liaison")
  .description("An OpenAI-compatible LLM gateway.")
  .showHelpAfterError();

registerServeCommand(program, fail);

const configCmd = program.command("config").description("work with configuration files");
configCmd
  .command("check")
  .argument("<file>", "configuration file to validate")
  .description("validate a configuration file; exits non-zero naming the key path and the problem")
  .action((file: string) => {
    try {
      const config = loadConfigFile(file);
      const providers = Object.keys(config.providers).length;
      const models = Object.keys(config.models).length;
      process.stdout.write(`${file}: ok (${providers} provider${providers === 1 ? "" : "s"}, ${models} model${models === 1 ? "" : "s"})\n`);
    } catch (err) {
      fail(err);
    }
  });

registerKeyCommands(program);
registerTeamCommands(program);
registerUsageCommand(program);
registerLogCommands(program);
registerPriceCommands(program);
registerRouterCommands(program);
registerWorkflowCommands(program);
registerPromptCommands(program);
registerProviderCommands(program);

program.parseAsync(process.argv).catch(fail);
