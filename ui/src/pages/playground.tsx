/**
 * Playground: one chat request through the gateway with the signed-in key,
 * streamed as it arrives, with what the gateway says about it: provider,
 * upstream model, attempts, cache and cost (a stream's cost is known only
 * after its last byte, so it is read from the request log when the key may).
 */
import { useRef, useState, type FormEvent } from "react";
import { api, request } from "../api/client";
import type { LogRow, ModelList } from "../api/types";
import type { Me } from "../lib/access";
import { formatInt, formatUsd } from "../lib/format";
import { deltaText, SseParser } from "../lib/sse";
import { useApi } from "../hooks";
import { Link } from "../router";
import { Facts, PageHeader } from "../components/bits";
import { ErrorState } from "../components/states";

interface Outcome {
  requestId: string | null;
  provider: string | null;
  model: string | null;
  attempts: string | null;
  cache: string | null;
  cost: string | null;
  tokens: string | null;
  /** The learned router's score for the prompt (x-liaison-route-score), on models that route by it. */
  routeScore: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function PlaygroundPage({ me }: { me: Me }) {
  const models = useApi<ModelList>("/v1/models");
  const [model, setModel] = useState("");
  const [message, setMessage] = useState("");
  const [system, setSystem] = useState("");
  const [stream, setStream] = useState(true);
  const [answer, setAnswer] = useState("");
  const [status, setStatus] = useState<"idle" | "waiting" | "streaming" | "done" | "stopped">("idle");
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const readsLogs = me.role !== "member";
  const chosen = model || models.data?.data[0]?.id || "";

  /** A stream's cost is written with its log row, a moment after the answer ends. */
  const costFromLog = async (id: string): Promise<string | null> => {
    for (let i = 0; i < 10; i++) {
      try {
        const row = await api<LogRow>(`/admin/logs/${encodeURIComponent(id)}`);
        return row.cost_usd === null ? "unknown (no price for this model)" : formatUsd(row.cost_usd);
      } catch {
        await sleep(300);
      }
    }
    return null;
  };

  const send = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!chosen) return setProblem("Choose a model first.");
    if (message.trim() === "") return setProblem("Write a message to send.");
    setProblem(null);
    setError(undefined);
    setAnswer("");
    setOutcome(null);
    setStatus("waiting");
    const ctrl = new AbortController();
    abort.current = ctrl;
    const messages = [...(system.trim() ? [{ role: "system", content: system }] : []), { role: "user", content: message }];
    try {
      const res = await request("/v1/chat/completions", {
        method: "POST",
        signal: ctrl.signal,
        body: { model: chosen, messages, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) },
      });
      const h = res.headers;
      const base: Outcome = {
        requestId: h.get("x-request-id"), provider: h.get("x-liaison-provider"), model: h.get("x-liaison-model"),
        attempts: h.get("x-liaison-attempts"), cache: h.get("x-liaison-cache"), cost: h.get("x-liaison-cost-usd"), tokens: null,
        routeScore: h.get("x-liaison-route-score"),
      };
      if (!stream) {
        const body = (await res.json()) as { choices: { message: { content: string | null } }[]; usage?: { prompt_tokens: number; completion_tokens: number } };
        setAnswer(body.choices[0]?.message.content ?? "");
        setOutcome({ ...base, cost: base.cost ? formatUsd(Number(base.cost)) : null, tokens: body.usage ? `${formatInt(body.usage.prompt_tokens)} prompt · ${formatInt(body.usage.completion_tokens)} completion` : null });
        setStatus("done");
        return;
      }
      setOutcome(base);
      setStatus("streaming");
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      let tokens: string | null = null;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const ev of parser.push(value)) {
          if (ev.data === "[DONE]") continue;
          const piece = deltaText(ev.data);
          if (piece) setAnswer((a) => a + piece);
          const usage = (JSON.parse(ev.data) as { usage?: { prompt_tokens: number; completion_tokens: number } | null }).usage;
          if (usage) tokens = `${formatInt(usage.prompt_tokens)} prompt · ${formatInt(usage.completion_tokens)} completion`;
        }
      }
      setStatus("done");
      const cost = readsLogs && base.requestId ? await costFromLog(base.requestId) : null;
      setOutcome({ ...base, tokens, cost: cost ?? (readsLogs ? "not logged yet" : "in the request log (this key may not read it)") });
    } catch (err) {
      if (ctrl.signal.aborted) setStatus("stopped");
      else {
        setError(err);
        setStatus("idle");
      }
    } finally {
      abort.current = null;
    }
  };

  const busy = status === "waiting" || status === "streaming";
  return (
    <>
      <PageHeader title="Playground" />
      <form className="playground" onSubmit={(e) => void send(e)} noValidate>
        <div className="field">
          <label htmlFor="pg-model">Model</label>
          <select id="pg-model" value={chosen} onChange={(e) => setModel(e.target.value)} disabled={!models.data}>
            {!models.data && <option value="">{models.error ? "Could not load models" : "Loading models…"}</option>}
            {models.data?.data.map((m) => <option key={m.id} value={m.id}>{m.id}</option>)}
          </select>
        </div>
        <details className="wide">
          <summary>System prompt</summary>
          <div className="field">
            <label htmlFor="pg-system">System prompt</label>
            <textarea id="pg-system" rows={2} value={system} onChange={(e) => setSystem(e.target.value)} />
          </div>
        </details>
        <div className="field wide">
          <label htmlFor="pg-message">Message</label>
          <textarea id="pg-message" rows={4} value={message} onChange={(e) => setMessage(e.target.value)}
            onKeyDown={(e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void send(e); }} aria-describedby="pg-message-hint" />
          <span id="pg-message-hint" className="hint">Ctrl+Enter sends.</span>
        </div>
        <label className="inline"><input type="checkbox" checked={stream} onChange={(e) => setStream(e.target.checked)} /> Stream the answer</label>
        {problem && <p className="field-error wide" role="alert">{problem}</p>}
        <div className="actions wide">
          {busy && <button type="button" onClick={() => abort.current?.abort()}>Stop</button>}
          <button type="submit" className="primary" disabled={busy}>Send</button>
        </div>
      </form>
      {models.error !== undefined && <ErrorState error={models.error} retry={models.reload} />}
      {error !== undefined && <ErrorState error={error} />}
      <section aria-labelledby="pg-answer" className="answer-box">
        <h2 id="pg-answer">Answer</h2>
        <p className="muted small" role="status">
          {status === "waiting" ? "Waiting for the first token…" : status === "streaming" ? "Streaming…" : status === "done" ? "Answer complete." : status === "stopped" ? "Stopped." : "Send a message to see the answer here."}
        </p>
        <div className="answer" data-status={status}>{answer}</div>
        {outcome && (
          <Facts items={[
            ["Request", outcome.requestId ? (readsLogs ? <Link key="r" to={`/logs/${encodeURIComponent(outcome.requestId)}`} className="mono">{outcome.requestId}</Link> : <code key="r">{outcome.requestId}</code>) : "—"],
            ["Provider", outcome.provider ?? "—"],
            ["Upstream model", outcome.model ?? "—"],
            ["Attempts", outcome.attempts ?? "—"],
            ["Cache", outcome.cache ?? "—"],
            ["Cost", outcome.cost ?? (status === "streaming" ? "known when the stream ends" : "—")],
            ["Tokens", outcome.tokens ?? "—"],
            ...(outcome.routeScore ? [["Route score", outcome.routeScore] as [string, string]] : []),
          ]} />
        )}
      </section>
    </>
  );
}

