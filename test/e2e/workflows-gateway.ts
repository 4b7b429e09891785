/**
 * What the workflow end-to-end tests share: the real CLI server in front of
 * the OpenAI fake and two slow upstreams, an admin key, and keys of two
 * teams (a member and a manager of team A, a member of team B).
 */
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { startSlowUpstream, type SlowUpstream } from "../workflows/slow-upstream.js";

export const ADMIN = "gw-admin-workflows";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read field by field in assertions
export type Json = any;

export interface WorkflowGateway {
  gw: CliServer;
  openai: FakeServer;
  /** Answers after one second. */
  slow: SlowUpstream;
  /** Answers at once with `{"score": 7}`, then, once told what was wrong, `{"score": 0.5}`. */
  json: SlowUpstream;
  member: string;
  /** The member key's id (its log rows' key_id). */
  memberId: string;
  manager: string;
  otherTeam: string;
  api(method: string, path: string, o?: { key?: string; body?: unknown; yaml?: string; headers?: Record<string, string> }): Promise<{ status: number; body: Json }>;
  close(): Promise<void>;
}

export async function startWorkflowGateway(): Promise<WorkflowGateway> {
  const openai = await startOpenAIFake({ apiKey: "sk-up" });
  const slow = await startSlowUpstream({ delayMs: 1_000 });
  const json = await startSlowUpstream({ delayMs: 0, reply: (b) => (b.messages.some((m) => m.role === "assistant") ? '{"score": 0.5}' : '{"score": 7}') });
  const gw = await startCli({
    admin_key: ADMIN,
    logging: { level: "warn", flush_interval_ms: 20 },
    // One upstream attempt per call: the step's own retries are what the tests see.
    routing: { retry: { max_attempts: 1 } },
    providers: {
      up: { type: "openai", base_url: openai.url, api_key: "sk-up" },
      slow: { type: "openai", base_url: slow.url, api_key: "x" },
      json: { type: "openai", base_url: json.url, api_key: "x" },
    },
  });
  const api: WorkflowGateway["api"] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${o.key ?? ADMIN}`, ...o.headers };
    let body: string | undefined;
    if (o.yaml !== undefined) {
      headers["content-type"] = "application/yaml";
      body = o.yaml;
    } else if (o.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(o.body);
    }
    const res = await fetch(`${gw.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const created = async (path: string, body: unknown) => {
    const r = await api("POST", path, { body });
    if (r.status !== 201) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as Record<string, string>;
  };
  const teamA = await created("/admin/teams", { name: "wf-a" });
  const teamB = await created("/admin/teams", { name: "wf-b" });
  const memberKey = await created("/admin/keys", { name: "a-member", team_id: teamA.id, role: "member" });
  const member = memberKey.key!;
  const manager = (await created("/admin/keys", { name: "a-manager", team_id: teamA.id, role: "manager" })).key!;
  const otherTeam = (await created("/admin/keys", { name: "b-member", team_id: teamB.id, role: "member" })).key!;
  return {
    gw, openai, slow, json, member, memberId: memberKey.id!, manager, otherTeam, api,
    async close() {
      await gw.dispose();
      await Promise.all([openai.close(), slow.close(), json.close()]);
    },
  };
}

/** The server-sent events of a response body: `{event, data}` each. */
export async function readEvents(res: Response, until?: (e: { event: string; data: Json }) => boolean): Promise<{ event: string; data: Json }[]> {
  const events: { event: string; data: Json }[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null");
      events.push({ event, data });
      if (until?.({ event, data })) return events;
    }
  }
  return events;
}

/** Polls until `fn` gives a value (log rows are written a moment after the answer). */
export async function eventually<T>(fn: () => Promise<T | undefined>, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}
