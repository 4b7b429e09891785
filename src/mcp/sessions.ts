/**
 * MCP sessions as the Streamable HTTP transport defines them: an initialize
 * request opens one (its id in `mcp-session-id`), each has its own transport
 * and Server, DELETE ends it, and an unknown or ended id is answered 404.
 * A session belongs to the key that opened it. Sessions idle (no request and
 * no open stream) for IDLE_MS are closed; at most MAX_SESSIONS at once.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

export interface SessionLimits {
  /** Sessions open at once; an initialize beyond it is refused (503). */
  maxSessions: number;
  /** A session with no request and no open stream for this long is closed. */
  idleMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxSessions: 10_000, idleMs: 30 * 60_000 };

export interface McpSession {
  readonly transport: StreamableHTTPServerTransport;
  readonly owner: string;
  /** Responses (streams included) still open. */
  open: number;
  lastActive: number;
}

export class McpSessions {
  readonly #sessions = new Map<string, McpSession>();
  readonly #limits: SessionLimits;
  readonly #sweeper: NodeJS.Timeout;

  constructor(private readonly createServer: () => Server, limits: SessionLimits = DEFAULT_SESSION_LIMITS) {
    this.#limits = limits;
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(60_000, limits.idleMs));
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  get full(): boolean {
    return this.#sessions.size >= this.#limits.maxSessions;
  }

  /** The session with this id, if it is open and `owner` opened it (anyone else is told it does not exist). */
  find(id: string, owner: string): McpSession | undefined {
    const session = this.#sessions.get(id);
    return session?.owner === owner ? session : undefined;
  }

  /** Serves an initialize request on a new session, kept if the initialize succeeded (and closed if it did not). */
  async initialize(owner: string, req: IncomingMessage, res: ServerResponse, body: unknown, auth: AuthInfo): Promise<void> {
    const session = await this.#open(owner);
    await this.handle(session, req, res, body, auth);
    const id = session.transport.sessionId;
    if (id === undefined || this.#sessions.get(id) !== session) await session.transport.close().catch(() => {});
  }

  async #open(owner: string): Promise<McpSession> {
    const sessions = this.#sessions;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => { sessions.set(id, session); },
    });
    const session: McpSession = { transport, owner, open: 0, lastActive: Date.now() };
    // Before connect(): the Server chains its own close handling after this one.
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined && sessions.get(id) === session) sessions.delete(id);
    };
    await this.createServer().connect(transport);
    return session;
  }

  /** One HTTP request on a session's transport (POST, GET for its stream, DELETE to end it). */
  async handle(session: McpSession, req: IncomingMessage, res: ServerResponse, body: unknown, auth: AuthInfo): Promise<void> {
    session.open++;
    session.lastActive = Date.now();
    res.once("close", () => {
      session.open--;
      session.lastActive = Date.now();
    });
    await session.transport.handleRequest(Object.assign(req, { auth }), res, body);
  }

  /**
   * Ends each session's notification stream (its GET), which would otherwise
   * hold the HTTP server's close until its deadline; requests in flight finish.
   */
  endStreams(): void {
    for (const s of this.#sessions.values()) s.transport.closeStandaloneSSEStream();
  }

  /** Ends every session: at shutdown, once the requests in flight are done. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const open = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(open.map((s) => s.transport.close()));
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#limits.idleMs;
    for (const s of this.#sessions.values()) {
      if (s.open === 0 && s.lastActive < cutoff) void s.transport.close().catch(() => {});
    }
  }
}
