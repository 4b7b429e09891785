/** The official MCP client against a running gateway's /mcp, and the admin calls the MCP tests make. */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { McpError } from "@modelcontextprotocol/sdk/types.js";

export async function mcpClient(gatewayUrl: string, key: string | undefined, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "liaison-test", version: "1.0.0" });
  const all = { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) };
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gatewayUrl}/mcp`), { requestInit: { headers: all } }));
  return client;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- admin answers are checked field by field
export async function admin(gatewayUrl: string, key: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The JSON-RPC error a promise rejects with (the SDK's McpError). */
export async function rpcError(promise: Promise<unknown>): Promise<McpError> {
  try {
    await promise;
  } catch (err) {
    return err as McpError;
  }
  throw new Error("expected a JSON-RPC error");
}

export function textOf(result: unknown): string {
  return ((result as { content: { text: string }[] }).content[0]!).text;
}
