/**
 * The `liaison` command line (DESIGN.md §2).
 */
import { Command, InvalidArgumentError } from "commander";
import { ConfigError, loadConfigFile, resolveConfig } from "../config/load.js";
import { startServer } from "../server/start.js";
import { registerKeyCommands } from "./keys.js";
import { registerTeamCommands } from "./teams.js";
import { registerUsageCommand } from "./usage.js";
import { registerLogCommands } from "./logs.js";
import { loadDotEnv } from "./dotenv.js";
import { registerPriceCommands } from "./prices.js";
import { registerRouterCommands } from "./router.js";
import { registerWorkflowCommands } from "./workflows.js";

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number from 0 to 65535.");
  return n;
}

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

program
  .command("serve")
  .description("start the gateway (without --config: ./liaison.yaml, else zero-config from the environment; ./.env is read first)")
  .option("-c, --config <file>", "configuration file (YAML)")
  .option("--host <host>", "address to listen on (overrides server.host)")
  .option("-p, --port <port>", "port to listen on (overrides server.port; 0 picks a free one)", portNumber)
  .action(async (opts: { config?: string; host?: string; port?: number }) => {
    let server;
    try {
      const { config } = resolveConfig(opts.config);
      server = await startServer(config, { host: opts.host, port: opts.port });
    } catch (err) {
      fail(err);
    }
    process.stdout.write(`listening on ${server.url}\n`);
    const running = server;
    let signals = 0;
    const stop = (signal: string) => {
      if (++signals > 1) process.exit(1); // a second Ctrl-C means "now"
      running.engine.logger.info({ signal }, "shutting down: draining requests and flushing logs");
      running.close().then(() => process.exit(0), (err: unknown) => {
        running.engine.logger.error({ err }, "shutdown failed");
        process.exit(1);
      });
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
    // A stray rejection is a bug worth reporting, not a reason to drop every request in flight.
    // Counted in liaison_internal_errors_total{site="unhandled_rejection"} and logged (once per interval).
    process.on("unhandledRejection", (reason) => {
      running.engine.internalErrors.report("unhandled_rejection", reason);
      running.engine.errors.capture(reason, { code: "unhandled_rejection" });
    });
    // An exception nobody caught leaves the process in an unknown state: report it, then exit.
    process.on("uncaughtException", (err) => {
      running.engine.metrics.internalErrors.inc({ site: "uncaught_exception" });
      running.engine.logger.fatal({ err }, "uncaught exception; exiting");
      running.engine.errors.capture(err, { code: "uncaught_exception" });
      void running.engine.errors.flush(2_000).finally(() => process.exit(1));
    });
  });

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

program.parseAsync(process.argv).catch(fail);
