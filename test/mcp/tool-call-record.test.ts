/**
 * Engine.openToolCall, the one way a tool call is recorded: its log row
 * (redacted bodies), its span (execute_tool, failed when the call failed)
 * and its metrics, with client-chosen names kept out of the labels.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { Engine } from "../../src/engine/engine.js";
import type { Attributes, SpanFailure, SpanHandle, Tracing } from "../../src/telemetry/tracing.js";

interface Recorded { name: string; attributes: Record<string, unknown>; failure?: SpanFailure; ended: boolean }

const spans: Recorded[] = [];
const tracing: Tracing = {
  enabled: true,
  startRequest(name: string, attributes: Attributes): SpanHandle {
    const span: Recorded = { name, attributes: { ...attributes }, ended: false };
    spans.push(span);
    const handle: SpanHandle = {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      setAttributes: (a) => { Object.assign(span.attributes, a); },
      fail: (f) => { span.failure = f; },
      end: () => { span.ended = true; },
      child: () => handle,
      traceparent: () => undefined,
    };
    return handle;
  },
  shutdown: async () => {},
};

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.create(validateConfig({ storage: { url: "memory:" }, logging: { level: "silent", bodies: true } }), { tracing });
});
afterAll(() => engine?.close());

async function row(id: string) {
  await expect.poll(() => engine.store!.getLog(id), { timeout: 2_000 }).toBeDefined();
  return (await engine.store!.getLog(id))!;
}

it("a call that reached its server: a row with the server and the tool, bodies redacted, a span and metrics", async () => {
  const rec = engine.openToolCall("docs__echo", { text: "mail jane.doe@example.com" }, { keyId: "key_1", teamId: "team_1", metadata: { run: 7 } });
  rec.reached("docs", "echo");
  rec.end({ status: 200, errorCode: null, result: { content: [{ type: "text", text: "mail jane.doe@example.com" }] } });

  const stored = await row(rec.requestId);
  expect(stored).toMatchObject({ endpoint: "/mcp", model: "docs__echo", provider: "docs", upstream_model: "echo", status: 200, error_code: null, attempts: 1, key_id: "key_1", team_id: "team_1", stream: false, trace_id: "0af7651916cd43dd8448eb211c80319c" });
  expect(JSON.stringify(stored.request_body)).toContain("[REDACTED:EMAIL]");
  expect(JSON.stringify(stored.response_body)).toContain("[REDACTED:EMAIL]");
  expect(JSON.stringify(stored)).not.toContain("jane.doe@example.com");

  expect(spans.at(-1)).toMatchObject({ name: "execute_tool docs__echo", ended: true, attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "docs__echo", "mcp.method.name": "tools/call", "liaison.endpoint": "/mcp", "liaison.provider": "docs" } });
  expect(spans.at(-1)!.failure).toBeUndefined();

  const metrics = await engine.metrics.registry.metrics();
  expect(metrics).toMatch(/liaison_mcp_calls_total\{server="docs",tool="docs__echo",outcome="ok"\} 1/);
  expect(metrics).toMatch(/liaison_mcp_call_duration_seconds_count\{server="docs"\} 1/);
});

it("a refused call: its status and reason, a failed span, and no client-chosen label", async () => {
  const rec = engine.openToolCall("made__up_name_42", {}, {});
  rec.end({ status: 404, errorCode: "tool_not_found", message: "Unknown tool: made__up_name_42." });
  rec.end({ status: 200, errorCode: null }); // the first outcome stands
  expect(await row(rec.requestId)).toMatchObject({ endpoint: "/mcp", model: "made__up_name_42", provider: null, status: 404, error_code: "tool_not_found", attempts: 0 });
  expect(spans.at(-1)).toMatchObject({ name: "execute_tool made__up_name_42", ended: true, failure: { code: "tool_not_found", status: 404 } });
  const metrics = await engine.metrics.registry.metrics();
  expect(metrics).toMatch(/liaison_mcp_calls_total\{server="",tool="",outcome="tool_not_found"\} 1/);
  expect(metrics).not.toContain("made__up_name_42");
});
