/**
 * The MCP server one client session talks to: the SDK's low-level Server
 * (the high-level McpServer would turn thrown errors into `isError` tool
 * results; the gateway's refusals must be JSON-RPC errors). Its lists are the
 * hub's, filtered by the caller's mcp_tools; calls go to the server behind
 * each name; list changes on any server are passed on to the session.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema, GetPromptRequestSchema, ListPromptsRequestSchema, ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema, ListToolsRequestSchema, ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { callerOf } from "./caller.js";
import { McpCallError } from "./errors.js";
import { mayUse } from "./permissions.js";
import { callTimeout, callTool, type ToolCallDeps } from "./tool-call.js";

export const SERVER_INFO = { name: "liaison", version: "1" } as const;

const INSTRUCTIONS = "Liaison, an MCP gateway: the tools, prompts and resources of several MCP servers, each named SERVER__name.";

export function createSessionServer(d: ToolCallDeps): Server {
  const { hub } = d;
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true } },
    instructions: INSTRUCTIONS,
  });

  server.setRequestHandler(ListToolsRequestSchema, async (_req, extra) => {
    const { principal } = callerOf(extra);
    await hub.ready();
    return { tools: hub.tools().filter((t) => mayUse(principal, t.name)) };
  });

  server.setRequestHandler(CallToolRequestSchema, (req, extra) => callTool(d, callerOf(extra), req.params, extra.signal));

  server.setRequestHandler(ListPromptsRequestSchema, async (_req, extra) => {
    const { principal } = callerOf(extra);
    await hub.ready();
    return { prompts: hub.prompts().filter((p) => mayUse(principal, p.name)) };
  });

  server.setRequestHandler(GetPromptRequestSchema, async (req, extra) => {
    const caller = callerOf(extra);
    const { name, arguments: args } = req.params;
    if (!mayUse(caller.principal, name)) throw new McpCallError("not_allowed", `This key may not use the prompt '${name}' (mcp_tools).`);
    const target = hub.resolve(name, "prompts");
    if (!target) throw new McpCallError("prompt_not_found", `Unknown prompt: ${name}. The gateway's prompts are named SERVER__prompt; prompts/list shows them.`);
    return target.upstream.request((c, o) => c.getPrompt({ name: target.name, ...(args ? { arguments: args } : {}) }, o), callTimeout(target.upstream, caller), extra.signal);
  });

  server.setRequestHandler(ListResourcesRequestSchema, async (_req, extra) => {
    const { principal } = callerOf(extra);
    await hub.ready();
    return { resources: hub.resources().filter((r) => mayUse(principal, r.name)) };
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async (_req, extra) => {
    const { principal } = callerOf(extra);
    await hub.ready();
    return { resourceTemplates: hub.resourceTemplates().filter((t) => mayUse(principal, t.name)) };
  });

  server.setRequestHandler(ReadResourceRequestSchema, async (req, extra) => {
    const caller = callerOf(extra);
    const { uri } = req.params;
    await hub.ready();
    const owner = hub.resourceOwner(uri);
    if (!owner) throw new McpCallError("resource_not_found", `Resource not found: ${uri}. resources/list and resources/templates/list show what the gateway serves.`, { data: { uri } });
    if (!mayUse(caller.principal, owner.name)) throw new McpCallError("not_allowed", `This key may not read the resource '${owner.name}' (mcp_tools).`);
    return owner.upstream.request((c, o) => c.readResource({ uri }, o), callTimeout(owner.upstream, caller), extra.signal);
  });

  const unsubscribe = hub.onChange((kinds) => {
    for (const kind of kinds) {
      const sent = kind === "tools" ? server.sendToolListChanged() : kind === "prompts" ? server.sendPromptListChanged() : server.sendResourceListChanged();
      sent.catch(() => {}); // a session whose stream is gone simply misses it
    }
  });
  server.onclose = unsubscribe;
  return server;
}
