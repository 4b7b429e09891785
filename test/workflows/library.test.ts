/** The library's runWorkflow (src/library/create-gateway.ts): in-process, by definition or by name from workflows.dir. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createGateway } from "../../src/library/create-gateway.js";
import type { RunEvent } from "../../src/workflows/index.js";

const dir = mkdtempSync(join(tmpdir(), "liaison-wf-lib-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("gateway.runWorkflow", () => {
  it("runs a definition object: steps are logged calls with the run's metadata", async () => {
    const gateway = createGateway({ storage: { url: "memory:" }, logging: { level: "silent", flush_interval_ms: 10 } });
    try {
      const events: RunEvent["event"][] = [];
      const record = await gateway.runWorkflow({
        name: "inline",
        inputs: { who: { type: "string", required: true } },
        steps: [{ parallel: [{ id: "a", model: "mock/echo", prompt: "a {{ inputs.who }}" }, { id: "b", model: "mock/echo", prompt: "b {{ inputs.who }}" }] }],
        outputs: { both: "{{ steps.a.output }}/{{ steps.b.output }}" },
      }, { who: "me" }, { metadata: { app: "lib" }, onEvent: (e) => events.push(e.event) });
      expect(record).toMatchObject({ workflow: "inline", version: null, status: "succeeded", outputs: { both: "a me/b me" } });
      expect(events).toEqual(["step.started", "step.started", "step.completed", "step.completed", "run.completed"]);
      const engine = await gateway.engine();
      await new Promise((r) => setTimeout(r, 100));
      const row = await engine.store!.getLog(record.steps[0]!.request_id!);
      expect(row?.metadata).toEqual({ app: "lib", workflow: "inline", workflow_run: record.id, workflow_step: "a" });
      await expect(gateway.runWorkflow({ name: "inline", inputs: { who: { type: "string", required: true } }, steps: [{ id: "a", model: "mock/echo", prompt: "x" }] }, {}))
        .rejects.toThrow(/missing required input 'who'/);
    } finally {
      await gateway.close();
    }
  });

  it("runs a workflow of workflows.dir by name; a signal cancels it", async () => {
    mkdirSync(join(dir, "wf"));
    writeFileSync(join(dir, "wf", "slow.yaml"), "name: slow\nsteps:\n  - { id: a, model: slowmock/fixed, prompt: x }\n");
    writeFileSync(join(dir, "wf", "quick.yaml"), "name: quick\nsteps:\n  - { id: a, model: mock/echo, prompt: quick }\n");
    const gateway = createGateway({ storage: { url: "memory:" }, logging: { level: "silent" }, workflows: { dir: join(dir, "wf") }, providers: { slowmock: { type: "mock", latency_ms: 5_000 } } });
    try {
      expect((await gateway.runWorkflow("quick")).steps[0]!.output).toBe("quick");
      const started = Date.now();
      const record = await gateway.runWorkflow("slow", {}, { signal: AbortSignal.timeout(100) });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(record).toMatchObject({ status: "failed", error: { code: "client_closed" } });
      await expect(gateway.runWorkflow("missing")).rejects.toThrow(/Workflow 'missing' not found/);
    } finally {
      await gateway.close();
    }
  });
});
