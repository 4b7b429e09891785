/**
 * A small MCP server over stdio, written with the SDK, for the gateway's
 * tests (run with `node --import tsx`). Besides the common tools: `crash`
 * ends the process in the middle of its call, `grow` adds a tool (the SDK
 * then sends tools/list_changed), and a prompt and a resource. With
 * MCP_TEST_FAIL_START naming a file that exists, it exits at once instead
 * of starting (a server that cannot come back).
 */
import { existsSync } from "node:fs";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";
import { registerCommonTools } from "./tools.js";

const failFile = process.env.MCP_TEST_FAIL_START;
if (failFile && existsSync(failFile)) {
  process.stderr.write("test server: refusing to start (MCP_TEST_FAIL_START exists)\n");
  process.exit(3);
}

const server = new McpServer({ name: "test-stdio", version: "1.0.0" });
registerCommonTools(server, "stdio");

server.registerTool("crash", { description: "Ends the server's process mid-call." }, async () => {
  process.stderr.write("test server: crashing on purpose\n");
  setImmediate(() => process.exit(1));
  return new Promise<never>(() => {});
});

let grown = 0;
server.registerTool("grow", { description: "Adds a tool named extra<N>." }, async () => {
  grown++;
  server.registerTool(`extra${grown}`, { description: "A tool added at run time." }, async () => ({ content: [{ type: "text", text: "extra" }] }));
  return { content: [{ type: "text", text: `added extra${grown}` }] };
});

server.registerPrompt("greet", { description: "A greeting.", argsSchema: { name: z.string() } }, ({ name }) => ({
  messages: [{ role: "user", content: { type: "text", text: `Say hello to ${name}.` } }],
}));

server.registerResource("readme", "test://docs/readme", { description: "The readme.", mimeType: "text/plain" }, async (uri) => ({
  contents: [{ uri: uri.href, text: "This is the readme." }],
}));

server.registerResource("page", new ResourceTemplate("test://pages/{n}", { list: undefined }), { description: "Page n." }, async (uri, { n }) => ({
  contents: [{ uri: uri.href, text: `page ${String(n)}` }],
}));

await server.connect(new StdioServerTransport());
