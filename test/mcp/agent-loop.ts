/**
 * The agent loop docs/mcp.md shows: a chat model through /v1/chat/completions
 * decides to call tools; the gateway's /mcp runs them on its MCP servers.
 * One key for both. Kept here so a test runs exactly this code.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import OpenAI from "openai";

export interface AgentRun {
  answer: string | null;
  calls: { name: string; arguments: unknown; result: string }[];
}

export async function runAgent(gateway: string, key: string, model: string, question: string): Promise<AgentRun> {
  const openai = new OpenAI({ baseURL: `${gateway}/v1`, apiKey: key, maxRetries: 0 });
  const mcp = new Client({ name: "agent", version: "1.0.0" });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(`${gateway}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  }));
  try {
    // The gateway's MCP tools as OpenAI function tools: SERVER__tool names fit OpenAI's name rules.
    const tools: OpenAI.ChatCompletionTool[] = (await mcp.listTools()).tools.map((tool) => ({
      type: "function",
      function: { name: tool.name, description: tool.description ?? "", parameters: tool.inputSchema },
    }));
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: question }];
    const calls: AgentRun["calls"] = [];
    for (let step = 0; step < 5; step++) {
      const completion = await openai.chat.completions.create({ model, messages, tools });
      const message = completion.choices[0]!.message;
      messages.push(message);
      if (!message.tool_calls?.length) return { answer: message.content, calls };
      for (const call of message.tool_calls) {
        if (call.type !== "function") continue;
        const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
        const result = await mcp.callTool({ name: call.function.name, arguments: args });
        const text = (result.content as { type: string; text?: string }[]).filter((c) => c.type === "text").map((c) => c.text).join("\n");
        calls.push({ name: call.function.name, arguments: args, result: text });
        messages.push({ role: "tool", tool_call_id: call.id, content: text });
      }
    }
    return { answer: null, calls };
  } finally {
    await mcp.close();
  }
}
