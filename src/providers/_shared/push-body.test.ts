/**
 * The dispatch-fed response body: order, end, errors, backpressure
 * (pause/resume of the connection), discard and destroy.
 */
import { describe, expect, it } from "vitest";
import { PushBody } from "./push-body.js";

function controlled() {
  const calls: string[] = [];
  const body = new PushBody();
  body.controller = {
    pause: () => calls.push("pause"),
    resume: () => calls.push("resume"),
    abort: (reason: Error) => calls.push(`abort:${reason.message}`),
  } as never;
  return { body, calls };
}

describe("PushBody", () => {
  it("hands chunks over in order, to a waiting reader and from the queue, then ends", async () => {
    const { body } = controlled();
    const first = body.next();
    body.push(Buffer.from("a"));
    body.push(Buffer.from("b"));
    body.end();
    expect((await first).value!.toString()).toBe("a");
    const rest: string[] = [];
    for await (const chunk of body) rest.push(chunk.toString());
    expect(rest).toEqual(["b"]);
    expect(await body.next()).toEqual({ value: undefined, done: true });
  });

  it("pauses the connection when the reader falls behind, resumes once it caught up", async () => {
    const { body, calls } = controlled();
    for (let i = 0; i < 20; i++) body.push(Buffer.from(String(i)));
    expect(calls).toEqual(["pause"]);
    for (let i = 0; i < 19; i++) await body.next();
    expect(calls).toEqual(["pause"]);
    await body.next();
    expect(calls).toEqual(["pause", "resume"]);
  });

  it("rejects the reader with the transport error", async () => {
    const { body } = controlled();
    const pending = body.next();
    body.fail(new Error("socket hang up"));
    await expect(pending).rejects.toThrow("socket hang up");
    await expect(body.next()).rejects.toThrow("socket hang up");
  });

  it("discard drops what follows but lets the response finish (the connection stays pooled); destroy aborts it", async () => {
    const a = controlled();
    for (let i = 0; i < 20; i++) a.body.push(Buffer.from("x"));
    a.body.discard();
    a.body.push(Buffer.from("late"));
    a.body.end();
    expect(a.calls).toEqual(["pause", "resume"]);
    expect(await a.body.next()).toEqual({ value: undefined, done: true });

    const b = controlled();
    b.body.destroy(new Error("client left"));
    expect(b.calls).toEqual(["abort:client left"]);
    await expect(b.body.next()).rejects.toThrow("client left");
  });

  it("reads a whole error body as text", async () => {
    const { body } = controlled();
    body.push(Buffer.from('{"error":'));
    body.push(Buffer.from('{"message":"nope"}}'));
    body.end();
    expect(await body.text()).toBe('{"error":{"message":"nope"}}');
  });
});
