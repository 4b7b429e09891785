/**
 * One connection to one configured MCP server, through the SDK's client:
 * a child process over stdio, or Streamable HTTP. The connection is the
 * SDK's Client, initialized (the MCP handshake done) when this resolves.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  ErrorCode, McpError, PromptListChangedNotificationSchema, ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { Config } from "../config/schema.js";
import { withDeadline } from "./deadline.js";
import { describeError } from "./errors.js";
import type { ListKind } from "./lists.js";

export type McpConfig = NonNullable<Config["mcp"]>;
export type McpServerConfig = McpConfig["servers"][string];
export type TransportKind = "stdio" | "http";

export function transportOf(spec: McpServerConfig): TransportKind {
  return "command" in spec ? "stdio" : "http";
}

/** How the gateway introduces itself to the servers it connects to. */
export const CLIENT_INFO = { name: "liaison", version: "1" } as const;

/** What a stdio server last wrote to stderr is kept, this much, for last_error. */
const STDERR_TAIL = 2_000;

export interface ConnectHooks {
  /** The connection ended (the process exited, or close() was called). */
  onClose(): void;
  /** The server said one of its lists changed. */
  onListChanged(kind: ListKind): void;
}

export interface Connection {
  client: Client;
  /** The end of what a stdio server wrote to stderr ("" for HTTP). */
  stderrTail(): string;
  close(): Promise<void>;
}

function transportFor(spec: McpServerConfig, tail: { text: string }): Transport {
  if ("command" in spec) {
    const transport = new StdioClientTransport({
      command: spec.command,
      args: spec.args,
      ...(spec.env ? { env: spec.env } : {}),
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      // Piped, not inherited: a server's chatter stays out of the gateway's own log stream.
      stderr: "pipe",
    });
    transport.stderr?.on("data", (chunk: Buffer) => {
      tail.text = (tail.text + chunk.toString("utf8")).slice(-STDERR_TAIL);
    });
    return transport;
  }
  return new StreamableHTTPClientTransport(new URL(spec.url), {
    ...(spec.headers ? { requestInit: { headers: spec.headers } } : {}),
    // One quick try to reopen the notification stream; a server that is gone shows up on the next request.
    reconnectionOptions: { initialReconnectionDelay: 1_000, maxReconnectionDelay: 30_000, reconnectionDelayGrowFactor: 2, maxRetries: 2 },
  });
}

/** A start that failed: why, and what the process said on stderr before it went. */
export class StartFailure extends Error {
  constructor(readonly reason: string, readonly stderr: string) {
    super(stderr ? `${reason}; stderr: ${stderr}` : reason);
    this.name = "StartFailure";
  }
}

/** Connects and initializes within `timeoutMs`; the process (if any) is stopped again when that fails (StartFailure). */
export async function connect(spec: McpServerConfig, timeoutMs: number, hooks: ConnectHooks): Promise<Connection> {
  const tail = { text: "" };
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => hooks.onListChanged("tools"));
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => hooks.onListChanged("prompts"));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => hooks.onListChanged("resources"));
  // Errors the SDK reports out of band (a broken notification stream, a stray message) are not failed requests: those reject on their own.
  client.onerror = () => {};
  const transport = transportFor(spec, tail);
  try {
    await client.connect(transport, { timeout: timeoutMs });
  } catch (err) {
    await client.close().catch(() => {});
    const closed = err instanceof McpError && err.code === ErrorCode.ConnectionClosed;
    throw new StartFailure(closed ? `${"command" in spec ? "the process exited" : "the connection closed"} during start-up` : describeError(err), tail.text.trim());
  }
  // Set only once connected: a failed start is reported by connect() itself.
  client.onclose = () => hooks.onClose();
  return {
    client,
    stderrTail: () => tail.text.trim(),
    close: async () => {
      client.onclose = undefined;
      // An HTTP session is ended politely; a process gets stdin closed, then SIGTERM, then SIGKILL (the SDK's own order).
      if (transport instanceof StreamableHTTPClientTransport) {
        await withDeadline(transport.terminateSession(), 1_000, () => new Error("late")).catch(() => {});
      }
      await client.close().catch(() => {});
    },
  };
}
