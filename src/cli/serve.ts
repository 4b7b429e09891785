/**
 * `liaison serve`: one process, or with `--workers N` a primary and N
 * workers on one port (src/server/cluster.ts). SIGHUP re-reads the config
 * (every worker's, through the primary); SIGTERM/SIGINT drain and exit.
 */
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { resolveConfig } from "../config/load.js";
import { clusterProblem, joinCluster, runPrimary, workerCount } from "../server/cluster.js";
import { startServer, type RunningServer } from "../server/start.js";
import { createLogger } from "../telemetry/logger.js";

interface ServeOptions { config?: string; host?: string; port?: number; workers: string }

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number from 0 to 65535.");
  return n;
}

function workersArg(value: string): string {
  try {
    workerCount(value, 1);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

export function registerServeCommand(program: Command, fail: (err: unknown) => never): void {
  program
    .command("serve")
    .description("start the gateway (without --config: ./liaison.yaml, else zero-config from the environment; ./.env is read first)")
    .option("-c, --config <file>", "configuration file (YAML)")
    .option("--host <host>", "address to listen on (overrides server.host)")
    .option("-p, --port <port>", "port to listen on (overrides server.port; 0 picks a free one)", portNumber)
    .option("--workers <n>", "processes serving one port: a number, or auto (one per core); more than one needs redis", workersArg, "1")
    .action(async (opts: ServeOptions) => {
      try {
        const workers = workerCount(opts.workers, availableParallelism());
        if (cluster.isWorker) return await serveOne(opts, fail, true);
        if (workers === 1) return await serveOne(opts, fail, false);
        const { config } = resolveConfig(opts.config);
        const problem = clusterProblem(config, workers);
        if (problem) throw new Error(problem);
        await runPrimary({
          workers, config, logger: createLogger(config.logging.level),
          onListening: (url) => process.stdout.write(`listening on ${url} (${workers} workers)\n`),
        });
      } catch (err) {
        fail(err);
      }
    });
}

/** One process serving: alone, or as one of the workers. */
async function serveOne(opts: ServeOptions, fail: (err: unknown) => never, worker: boolean): Promise<void> {
  let server: RunningServer;
  let group: ReturnType<typeof joinCluster> | undefined;
  try {
    const loadConfig = () => resolveConfig(opts.config).config;
    server = await startServer(loadConfig(), {
      host: opts.host, port: opts.port, loadConfig,
      ...(worker ? {
        reloadAll: () => (group ? group.reloadAll() : server.reload()),
        metricsText: () => (group ? group.metricsText() : server.engine.metrics.registry.metrics()),
      } : {}),
    });
  } catch (err) {
    fail(err);
  }
  const running = server;
  if (worker) group = joinCluster(running);
  else process.stdout.write(`listening on ${running.url}\n`);
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
  // SIGHUP re-reads the configuration; a config that does not load is logged and the old one keeps serving.
  process.on("SIGHUP", () => void running.reload().catch(() => undefined));
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
}
