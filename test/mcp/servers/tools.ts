/**
 * The tools the test MCP servers share, registered on an SDK McpServer:
 * what the gateway's tests call, each small enough to read at a glance.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

export function registerCommonTools(server: McpServer, label: string): void {
  server.registerTool("echo", { description: `Echoes its text back (${label}).`, inputSchema: { text: z.string() } }, async ({ text: t }) => text(t));
  server.registerTool("add", {
    description: "Adds two numbers.",
    inputSchema: { a: z.number(), b: z.number() },
    outputSchema: { sum: z.number() },
  }, async ({ a, b }) => ({ ...text(String(a + b)), structuredContent: { sum: a + b } }));
  server.registerTool("weather", {
    description: "The current weather for a location.",
    inputSchema: { location: z.string().describe("a city") },
  }, async ({ location }) => text(`Sunny and 21 °C in ${location}.`));
  server.registerTool("sleep", { description: "Answers after `ms` milliseconds.", inputSchema: { ms: z.number().int().min(0) } }, async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return text(`slept ${ms} ms`);
  });
  server.registerTool("fail", { description: "A tool whose call fails (an isError result)." }, async () => ({ ...text("it failed on purpose"), isError: true }));
  server.registerTool("pid", { description: "The server's process id." }, async () => text(String(process.pid)));
}
