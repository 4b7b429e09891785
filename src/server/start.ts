/**
 * Starting and stopping a server process: listen, announce, and on SIGTERM
 * drain in-flight requests, flush the request log, then exit.
 */
import type { FastifyInstance } from "fastify";
import type { Config } from "../config/schema.js";
import { Engine, type ReloadResult } from "../engine/engine.js";
import { createLogger } from "../telemetry/logger.js";
import { buildApp, type AppState } from "./app.js";

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  engine: Engine;
  /** Re-reads the configuration (StartOptions.loadConfig) and applies it; throws (old config kept) when it does not load. */
  reload(): Promise<ReloadResult>;
  /** Drains in-flight requests (up to server.shutdown_timeout_ms), flushes logs, closes everything. */
  close(): Promise<void>;
}

export interface StartOptions {
  host?: string;
  port?: number;
  /** Where a reload (SIGHUP, POST /admin/reload) reads the configuration again; without it a reload is refused. */
  loadConfig?: () => Config | Promise<Config>;
  /** How POST /admin/reload reloads (default: this process only; with --workers, every worker). */
  reloadAll?: () => Promise<ReloadResult>;
  /** What GET /metrics answers (default: this process's registry; with --workers, every worker's, summed). */
  metricsText?: () => Promise<string>;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = createLogger(config.logging.level);
  const engine = await Engine.create(config, { logger });
  const loadConfig = options.loadConfig;
  const reload = async (): Promise<ReloadResult> => {
    if (!loadConfig) throw new Error("this gateway was not started from a configuration it can re-read");
    try {
      return await engine.reload(await loadConfig());
    } catch (err) {
      logger.error({ err: (err as Error)?.message }, "configuration reload refused; the old configuration keeps serving");
      throw err;
    }
  };
  const state: AppState = {
    shuttingDown: false,
    ...(loadConfig ? { reload: options.reloadAll ?? reload } : {}),
    ...(options.metricsText ? { metricsText: options.metricsText } : {}),
  };
  const app = buildApp(engine, state);
  const host = options.host ?? config.server.host;
  const port = options.port ?? config.server.port;
  await app.listen({ host, port });
  const address = app.server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  if (!config.admin_key) logger.warn("no admin_key configured: the gateway is open to anyone who can reach it (dev mode)");
  logger.info({ providers: Object.keys(config.providers), storage: engine.store?.kind ?? "none" }, "gateway started");

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      state.shuttingDown = true;
      const deadline = setTimeout(() => app.server.closeAllConnections(), config.server.shutdown_timeout_ms);
      deadline.unref();
      // A keep-alive connection whose request finishes during the drain would
      // otherwise stay open until its keep-alive timeout; close each one as it goes idle.
      const sweeper = setInterval(() => app.server.closeIdleConnections(), 50);
      sweeper.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(deadline);
        clearInterval(sweeper);
        await engine.close();
      }
    })();
    return closing;
  };
  return { url: `http://${shownHost}:${actualPort}`, app, engine, close, reload };
}
