/**
 * Trying a prompt: its variables filled in a form, sent through
 * POST /v1/prompts/{name}/completions with the signed-in key (an ordinary
 * chat call: limits, budgets, routing, cost), and the answer with what the
 * gateway says about it. A missing variable is the gateway's 400, naming it.
 */
import { useMemo, useState, type FormEvent } from "react";
import { request } from "../api/client";
import type { PromptVersion, PromptView } from "../api/types";
import type { Me } from "../lib/access";
import { formatInt, formatUsd } from "../lib/format";
import { defaultChoice, pickOf, variablesOf, versionChoices } from "../lib/prompts";
import { useApi } from "../hooks";
import { Link } from "../router";
import { ErrorState } from "../components/states";
import { Facts } from "../components/bits";

interface Answer {
  text: string;
  requestId: string | null;
  provider: string | null;
  model: string | null;
  cost: string | null;
  tokens: string | null;
}

export function TryPrompt({ prompt, version, me }: { prompt: PromptView; version: number; me: Me }) {
  const readsLogs = me.role !== "member";
  const choices = useMemo(() => versionChoices(prompt.versions, prompt.labels), [prompt]);
  const [choice, setChoice] = useState(() => defaultChoice(prompt.versions, prompt.labels));
  const picked = pickOf(choice);
  const pickedVersion = "version" in picked ? picked.version : "label" in picked ? prompt.labels[picked.label] ?? version : version;
  // The variables of the version that will run: the latest is at hand, another is fetched.
  const other = useApi<PromptVersion>(pickedVersion === prompt.latest.version ? null : `/v1/prompts/${encodeURIComponent(prompt.name)}/versions/${pickedVersion}`);
  const template = pickedVersion === prompt.latest.version ? prompt.latest : other.data;
  const variables = useMemo(() => (template ? variablesOf(template.messages) : []), [template]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [model, setModel] = useState("");
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const send = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setAnswer(null);
    const vars: Record<string, string> = {};
    for (const v of variables) if (values[v] !== undefined && values[v] !== "") vars[v] = values[v]!;
    try {
      const res = await request(`/v1/prompts/${encodeURIComponent(prompt.name)}/completions`, {
        method: "POST",
        body: { variables: vars, ...picked, ...(model.trim() ? { model: model.trim() } : {}) },
      });
      const h = res.headers;
      const body = (await res.json()) as { choices: { message: { content: string | null } }[]; usage?: { prompt_tokens: number; completion_tokens: number } };
      const cost = h.get("x-liaison-cost-usd");
      setAnswer({
        text: body.choices[0]?.message.content ?? "",
        requestId: h.get("x-request-id"), provider: h.get("x-liaison-provider"), model: h.get("x-liaison-model"),
        cost: cost ? formatUsd(Number(cost)) : null,
        tokens: body.usage ? `${formatInt(body.usage.prompt_tokens)} prompt · ${formatInt(body.usage.completion_tokens)} completion` : null,
      });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="try-title">
      <h3 id="try-title">Try it</h3>
      <form className="form-grid" onSubmit={(e) => void send(e)}>
        <div className="field">
          <label htmlFor="try-version">Version or label</label>
          <select id="try-version" value={choice} onChange={(e) => setChoice(e.target.value)}>
            {choices.map((c) => <option key={c.value} value={c.value}>{c.text}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="try-model">Model (optional)</label>
          <input id="try-model" value={model} onChange={(e) => setModel(e.target.value)} placeholder={template?.model ?? "required: this version names none"} aria-describedby="try-model-hint" />
          <span id="try-model-hint" className="hint">{template?.model ? `Empty: the version's own, ${template.model}.` : "This version names no model: write one."}</span>
        </div>
        {variables.map((v) => (
          <div className="field wide" key={v}>
            <label htmlFor={`try-var-${v}`}>{v}</label>
            <textarea id={`try-var-${v}`} rows={2} value={values[v] ?? ""} onChange={(e) => setValues({ ...values, [v]: e.target.value })} />
          </div>
        ))}
        {template && variables.length === 0 && <p className="muted wide">This version has no variables.</p>}
        <div className="actions start wide"><button type="submit" className="primary" disabled={busy || !template}>Run prompt</button></div>
      </form>
      {other.error !== undefined && <ErrorState error={other.error} retry={other.reload} />}
      {error !== undefined && <ErrorState error={error} />}
      <p className="muted small" role="status">{busy ? "Waiting for the answer…" : answer ? "Answer complete." : ""}</p>
      {answer && (
        <div className="answer-box">
          <h4>Answer</h4>
          <div className="answer">{answer.text}</div>
          <Facts items={[
            ["Request", answer.requestId ? readsLogs ? <Link key="r" to={`/logs/${encodeURIComponent(answer.requestId)}`} className="mono">{answer.requestId}</Link> : <code key="r">{answer.requestId}</code> : "—"],
            ["Provider", answer.provider ?? "—"],
            ["Upstream model", answer.model ?? "—"],
            ["Cost", answer.cost ?? "—"],
            ["Tokens", answer.tokens ?? "—"],
          ]} />
        </div>
      )}
    </section>
  );
}
