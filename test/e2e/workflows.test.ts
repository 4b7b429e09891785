/**
 * Workflows through the real server (bin/liaison.js serve): uploads and who
 * may write them, runs (chains with mock/echo, parallel timing against a
 * one-second upstream, when, retries, the schema retry, continue_on_error,
 * the run timeout), each step an ordinary gateway call with the caller's key
 * (log rows with the run's metadata, cost), stored runs with a cursor, SSE,
 * and a client that disconnects cancelling the calls in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, readEvents, startWorkflowGateway, type Json, type WorkflowGateway } from "./workflows-gateway.js";

let g: WorkflowGateway;
beforeAll(async () => {
  g = await startWorkflowGateway();
});
afterAll(async () => {
  await g?.close();
});

const CHAIN = `
name: chain
description: Three steps on the mock provider
inputs:
  text: { type: string, required: true }
  n: { type: number, default: 3 }
steps:
  - id: first
    model: mock/echo
    prompt: "one {{ inputs.text }}"
  - id: second
    model: mock/echo
    prompt: "two {{ steps.first.output }} n={{ inputs.n }}"
  - id: never
    when: inputs.n > 5
    model: mock/echo
    prompt: skipped
outputs:
  result: "{{ steps.second.output }}"
  never: "{{ steps.never.output }}"
`;

describe("uploading workflows", () => {
  it("201 with the version; the same name again is a 409; ?replace=true makes version n+1", async () => {
    expect(await g.api("POST", "/v1/workflows", { yaml: CHAIN })).toEqual({ status: 201, body: { name: "chain", version: 1 } });
    const again = await g.api("POST", "/v1/workflows", { yaml: CHAIN });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "workflow_exists", param: "name" });
    expect(await g.api("POST", "/v1/workflows?replace=true", { yaml: CHAIN })).toEqual({ status: 201, body: { name: "chain", version: 2 } });
    const got = await g.api("GET", "/v1/workflows/chain", { key: g.member });
    expect(got.body).toMatchObject({ name: "chain", version: 2, versions: [1, 2], source: "upload", steps: [{ id: "first" }, { id: "second" }, { id: "never" }] });
    const list = await g.api("GET", "/v1/workflows", { key: g.member });
    expect(list.body.data).toContainEqual({ name: "chain", description: "Three steps on the mock provider", inputs: { text: { type: "string", required: true }, n: { type: "number", default: 3 } }, version: 2 });
  });

  it("takes JSON too; a manager may write, a member gets 403", async () => {
    const wf = { name: "by-manager", steps: [{ id: "a", model: "mock/echo", prompt: "hi" }] };
    expect((await g.api("POST", "/v1/workflows", { key: g.manager, body: wf })).status).toBe(201);
    const refused = await g.api("POST", "/v1/workflows", { key: g.member, body: { ...wf, name: "by-member" } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("permission_denied");
    expect((await g.api("GET", "/v1/workflows/by-member")).status).toBe(404);
  });

  it.each([
    ["a model no key could reach", "steps[1].model", { name: "bad", steps: [{ id: "a", model: "mock/echo", prompt: "x" }, { id: "b", model: "nowhere-model", prompt: "x" }] }],
    ["an unknown step field", "steps[0].temprature", { name: "bad", steps: [{ id: "a", model: "mock/echo", prompt: "x", temprature: 1 }] }],
    ["a template naming a later step", "steps[0].prompt", { name: "bad", steps: [{ id: "a", model: "mock/echo", prompt: "{{ steps.b.output }}" }, { id: "b", model: "mock/echo", prompt: "x" }] }],
    ["a cycle", "steps[0].when", { name: "bad", steps: [{ id: "a", model: "mock/echo", prompt: "x", when: "steps.b.output == 'x'" }, { id: "b", model: "mock/echo", prompt: "{{ steps.a.output }}" }] }],
  ])("an invalid workflow (%s) is a 400 naming %s", async (_what, path, wf) => {
    const r = await g.api("POST", "/v1/workflows", { body: wf });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_workflow", param: path });
    expect(r.body.error.message).toContain(path);
  });

  it("bad YAML is a 400", async () => {
    const r = await g.api("POST", "/v1/workflows", { yaml: "name: [oops" });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/Invalid workflow: \(yaml\)/);
  });
});

describe("running a workflow", () => {
  it("chains the steps (exact outputs with mock/echo), skips by when, on both routes", async () => {
    for (const path of ["/v1/workflow/chain", "/v1/workflows/chain/runs"]) {
      const r = await g.api("POST", path, { key: g.member, body: { inputs: { text: "hello" } } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        workflow: "chain", version: 2, status: "succeeded", inputs: { text: "hello", n: 3 },
        outputs: { result: "two one hello n=3", never: null },
        steps: [
          { id: "first", status: "succeeded", output: "one hello", model: "mock/echo", prompt_tokens: 2, completion_tokens: 2 },
          { id: "second", status: "succeeded", output: "two one hello n=3" },
          { id: "never", status: "skipped", output: null, request_id: null },
        ],
      });
      expect(r.body.id).toMatch(/^wfrun_/);
    }
  });

  it("missing or mistyped inputs are a 400 naming them; an unknown workflow a 404", async () => {
    const missing = await g.api("POST", "/v1/workflow/chain", { body: { inputs: {} } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ param: "inputs.text", code: "invalid_inputs" });
    expect(missing.body.error.message).toContain("missing required input 'text'");
    const mistyped = await g.api("POST", "/v1/workflow/chain", { body: { inputs: { text: "x", n: "many" } } });
    expect(mistyped.status).toBe(400);
    expect(mistyped.body.error.message).toContain("input 'n' must be a number, not a string");
    expect((await g.api("POST", "/v1/workflow/nope", { body: { inputs: {} } })).status).toBe(404);
  });

  it("each step is a gateway call with the caller's key: its log row has the run's metadata and the step's request id; costs add up", async () => {
    await g.api("POST", "/v1/workflows", { body: { name: "priced", steps: [
      { id: "a", model: "up/gpt-4o-mini", prompt: "first question" },
      { id: "b", model: "up/gpt-4o-mini", prompt: "{{ steps.a.output }} again", max_tokens: 50 },
    ] } });
    const r = await g.api("POST", "/v1/workflow/priced", { key: g.member, body: { inputs: {} }, headers: { "x-liaison-metadata": JSON.stringify({ app: "tests" }) } });
    expect(r.body.status).toBe("succeeded");
    expect(r.body.steps[1].output).toBe("echo: echo: first question again");
    expect(g.openai.requests.at(-1)!.body).toMatchObject({ model: "gpt-4o-mini", max_tokens: 50 });
    let total = 0;
    for (const step of r.body.steps) {
      const row = await eventually(async () => {
        const l = await g.api("GET", `/admin/logs/${step.request_id}`);
        return l.status === 200 ? l.body : undefined;
      });
      expect(row).toMatchObject({
        id: step.request_id, key_id: g.memberId, status: 200, model: "up/gpt-4o-mini",
        metadata: { app: "tests", workflow: "priced", workflow_run: r.body.id, workflow_step: step.id },
      });
      expect(step.cost_usd).toBeGreaterThan(0);
      expect(row.cost_usd).toBeCloseTo(step.cost_usd, 12);
      total += step.cost_usd;
    }
    expect(r.body.cost_usd).toBeCloseTo(total, 12);
    expect(r.body.prompt_tokens).toBe(r.body.steps[0].prompt_tokens + r.body.steps[1].prompt_tokens);
  });

  it("a step retries a failed call per retry.max_attempts, each call its own log row", async () => {
    await g.api("POST", "/v1/workflows", { body: { name: "flaky", steps: [{ id: "a", model: "up/gpt-4o", prompt: "try", retry: { max_attempts: 2 } }] } });
    const before = g.openai.requests.length;
    g.openai.setFault({ kind: "status", status: 503, times: 1 });
    const r = await g.api("POST", "/v1/workflow/flaky", { body: { inputs: {} } });
    g.openai.setFault(null);
    expect(r.body.status).toBe("succeeded");
    expect(r.body.steps[0]).toMatchObject({ id: "a", status: "succeeded", attempts: 2, output: "echo: try" });
    expect(g.openai.requests.length - before).toBe(2);
    const failed = await eventually(async () => {
      const l = await g.api("GET", `/admin/logs?limit=20`);
      return (l.body.data as Json[]).find((row) => row.metadata?.workflow_run === r.body.id && row.status === 503);
    });
    expect(failed.metadata.workflow_step).toBe("a");
    expect(failed.id).not.toBe(r.body.steps[0].request_id);
  });

  it("without retry, a failed call fails the step: a 200 with status failed and the step's error", async () => {
    await g.api("POST", "/v1/workflows", { body: { name: "no-retry", steps: [{ id: "a", model: "up/gpt-4o", prompt: "try" }] } });
    g.openai.setFault({ kind: "status", status: 503, times: 1 });
    const r = await g.api("POST", "/v1/workflow/no-retry", { body: { inputs: {} } });
    g.openai.setFault(null);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "failed", outputs: null, steps: [{ id: "a", status: "failed", attempts: 1, error: { type: "upstream_error" } }] });
  });

  it("continue_on_error lets the run go on; a failed step fails the run and says why", async () => {
    await g.api("POST", "/v1/workflows", { body: { name: "fails", steps: [
      { id: "a", model: "up/not-a-model-the-fake-has", prompt: "x", continue_on_error: true },
      { id: "b", model: "mock/echo", prompt: "a was {{ steps.a.status }}" },
      { id: "c", model: "up/not-a-model-the-fake-has", prompt: "x" },
      { id: "d", model: "mock/echo", prompt: "never" },
    ] } });
    const r = await g.api("POST", "/v1/workflow/fails", { body: { inputs: {} } });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("failed");
    expect(r.body.outputs).toBeNull();
    expect(r.body.steps.map((s: Json) => [s.id, s.status])).toEqual([["a", "failed"], ["b", "succeeded"], ["c", "failed"]]);
    expect(r.body.steps[1].output).toBe("a was failed");
    expect(r.body.steps[0].error).toMatchObject({ code: "model_not_found" });
    expect(r.body.error).toEqual(r.body.steps[2].error);
  });

  it("runs a parallel group concurrently: two one-second steps take about one second", async () => {
    await g.api("POST", "/v1/workflows", { body: { name: "fanout", steps: [
      { parallel: [{ id: "a", model: "slow/gpt-4o", prompt: "left" }, { id: "b", model: "slow/gpt-4o", prompt: "right" }] },
      { id: "join", model: "mock/echo", prompt: "{{ steps.a.output }} + {{ steps.b.output }}" },
    ] } });
    const started = Date.now();
    const r = await g.api("POST", "/v1/workflow/fanout", { body: { inputs: {} } });
    const ms = Date.now() - started;
    expect(r.body.outputs).toEqual({});
    expect(r.body.steps[2].output).toBe("echo: left + echo: right");
    expect(r.body.steps[0].latency_ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeGreaterThanOrEqual(1_000);
    expect(ms).toBeLessThan(1_800);
    expect(r.body.latency_ms).toBeLessThan(1_800);
  });

  it("parses JSON outputs against the schema, retrying once with the complaint in the prompt", async () => {
    await g.api("POST", "/v1/workflows", { body: { name: "scored", steps: [
      { id: "score", model: "json/judge", system: "Answer with JSON.", prompt: "Score this.", output: { json: true, schema: { type: "object", properties: { score: { type: "number", maximum: 1 } }, required: ["score"] } } },
      { id: "say", model: "mock/echo", prompt: "score={{ steps.score.output.score }}" },
    ], outputs: { score: "{{ steps.score.output }}" } } });
    const before = g.json.requests.length;
    const r = await g.api("POST", "/v1/workflow/scored", { body: { inputs: {} } });
    expect(r.body.status).toBe("succeeded");
    expect(r.body.outputs).toEqual({ score: { score: 0.5 } });
    expect(r.body.steps[0]).toMatchObject({ attempts: 2, output: { score: 0.5 } });
    expect(r.body.steps[1].output).toBe("score=0.5");
    const sent = g.json.requests.slice(before).map((q) => q.body.messages);
    expect(sent[0]).toEqual([{ role: "system", content: "Answer with JSON." }, { role: "user", content: "Score this." }]);
    expect(sent[1]!.slice(0, 3)).toEqual([...sent[0]!, { role: "assistant", content: '{"score": 7}' }]);
    expect(sent[1]![3]!.content).toMatch(/score: Too big: expected number to be <=1/);
  });

  it("the run's timeout_ms cancels the call in flight and fails the run", async () => {
    await g.api("POST", "/v1/workflows", { body: { name: "too-slow", timeout_ms: 300, steps: [{ id: "a", model: "slow/gpt-4o", prompt: "slow" }] } });
    const before = g.slow.requests.length;
    const started = Date.now();
    const r = await g.api("POST", "/v1/workflow/too-slow", { body: { inputs: {} } });
    expect(Date.now() - started).toBeLessThan(900);
    expect(r.body.status).toBe("failed");
    expect(r.body.error).toMatchObject({ code: "workflow_timeout", type: "timeout_error" });
    await eventually(async () => (g.slow.requests[before]?.aborted ? true : undefined));
  });
});

describe("stored runs", () => {
  it("lists the latest runs newest first with a cursor; a run is seen by its own team; GET one returns the stored record", async () => {
    const ids: string[] = [];
    for (const text of ["r1", "r2", "r3"]) ids.push((await g.api("POST", "/v1/workflow/chain", { key: g.member, body: { inputs: { text } } })).body.id);
    const page1 = await g.api("GET", "/v1/workflows/chain/runs?limit=2", { key: g.manager });
    expect(page1.body.data.map((r: Json) => r.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body.data[0].steps[0]).not.toHaveProperty("input");
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await g.api("GET", `/v1/workflows/chain/runs?limit=2&cursor=${page1.body.next_cursor}`, { key: g.manager });
    expect(page2.body.data.map((r: Json) => r.id)[0]).toBe(ids[0]);
    expect((await g.api("GET", "/v1/workflows/chain/runs", { key: g.otherTeam })).body.data).toEqual([]);
    expect((await g.api("GET", "/v1/workflows/chain/runs?limit=100")).body.data.length).toBeGreaterThanOrEqual(5);
    const one = await g.api("GET", `/v1/workflows/chain/runs/${ids[1]}`, { key: g.member });
    expect(one.body).toMatchObject({ id: ids[1], status: "succeeded", inputs: { text: "r2" }, steps: [{ id: "first", output: "one r2", input: [{ role: "user", content: "one r2" }] }, {}, {}] });
    expect((await g.api("GET", `/v1/workflows/chain/runs/${ids[1]}`, { key: g.otherTeam })).status).toBe(404);
    expect((await g.api("GET", "/v1/workflows/chain/runs/wfrun_nope")).status).toBe(404);
    expect((await g.api("GET", "/v1/workflows/chain/runs?cursor=garbage")).status).toBe(400);
  });
});

describe("streaming a run", () => {
  it("sends step.started, step.completed … run.completed (the whole record, as stored)", async () => {
    const res = await fetch(`${g.gw.url}/v1/workflows/chain/runs`, {
      method: "POST", headers: { authorization: `Bearer ${g.member}`, "content-type": "application/json" },
      body: JSON.stringify({ inputs: { text: "sse" }, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readEvents(res);
    expect(events.map((e) => `${e.event} ${e.data.id}`)).toEqual([
      "step.started first", "step.completed first", "step.started second", "step.completed second", "step.completed never",
      `run.completed ${events.at(-1)!.data.id}`,
    ]);
    const record = events.at(-1)!.data;
    expect(events[1]!.data).toMatchObject({ run_id: record.id, status: "succeeded", output: "one sse" });
    expect(record).toMatchObject({ status: "succeeded", outputs: { result: "two one sse n=3" } });
    const stored = await g.api("GET", `/v1/workflows/chain/runs/${record.id}`, { key: g.member });
    expect(stored.body).toEqual(record);
  });

  it("bad inputs are a JSON 400 before any event", async () => {
    const res = await fetch(`${g.gw.url}/v1/workflows/chain/runs`, { method: "POST", headers: { authorization: `Bearer ${g.member}`, "content-type": "application/json" }, body: JSON.stringify({ stream: true }) });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
  });

  it("a client that disconnects cancels the calls in flight; the run is stored as failed", async () => {
    await g.api("POST", "/v1/workflows", { body: { name: "abandoned", steps: [
      { parallel: [{ id: "a", model: "slow/gpt-4o", prompt: "a" }, { id: "b", model: "slow/gpt-4o", prompt: "b" }] },
      { id: "c", model: "slow/gpt-4o", prompt: "c" },
    ] } });
    const before = g.slow.requests.length;
    const controller = new AbortController();
    const res = await fetch(`${g.gw.url}/v1/workflow/abandoned`, {
      method: "POST", signal: controller.signal, headers: { authorization: `Bearer ${g.member}`, "content-type": "application/json" },
      body: JSON.stringify({ inputs: {}, stream: true }),
    });
    const started = await readEvents(res, (e) => e.event === "step.started" && e.data.id === "b");
    const runId = started[0]!.data.run_id;
    await eventually(async () => (g.slow.requests.length >= before + 2 ? true : undefined));
    controller.abort();
    const cancelled = await eventually(async () => {
      const mine = g.slow.requests.slice(before);
      return mine.length === 2 && mine.every((r) => r.aborted) ? mine : undefined;
    }, 3_000);
    expect(cancelled.every((r) => !r.answered)).toBe(true);
    const stored = await eventually(async () => {
      const r = await g.api("GET", `/v1/workflows/abandoned/runs/${runId}`);
      return r.status === 200 ? r.body : undefined;
    });
    expect(stored).toMatchObject({ status: "failed", error: { code: "client_closed" } });
    expect(stored.steps.map((s: Json) => s.id)).toEqual(["a", "b"]); // c never started
    await new Promise((r) => setTimeout(r, 1_200));
    expect(g.slow.requests.length).toBe(before + 2);
  });
});
