/**
 * The limit fields keys and teams share, for react-hook-form: allowed
 * models, MCP tools, rpm, tpm, parallel requests and the budget. Each input
 * is labelled and its hint tied to it; an empty field means no limit.
 */
import { useId } from "react";
import type { FieldErrors, UseFormRegister } from "react-hook-form";
import type { LimitForm } from "../lib/limits";

const positiveInt = (v: string): true | string => v.trim() === "" || /^[1-9][0-9]*$/.test(v.trim()) || "Enter a whole number above 0, or leave it empty for no limit.";
const dollars = (v: string): true | string => v.trim() === "" || (/^[0-9]+(\.[0-9]+)?$/.test(v.trim())) || "Enter an amount in dollars such as 25 or 2.50, or leave it empty for no budget.";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the key and team forms extend LimitForm with their own fields
export function LimitFields({ register, errors, mcp }: { register: UseFormRegister<any>; errors: FieldErrors<LimitForm>; mcp: boolean }) {
  const id = useId();
  const field = (name: keyof LimitForm, label: string, hint: string, check?: (v: string) => true | string, wide = false) => (
    <div className={wide ? "field wide" : "field"}>
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input id={`${id}-${name}`} {...register(name, check ? { validate: check } : {})} aria-describedby={`${id}-${name}-hint${errors[name] ? ` ${id}-${name}-error` : ""}`} aria-invalid={errors[name] ? true : undefined} />
      <span id={`${id}-${name}-hint`} className="hint">{hint}</span>
      {errors[name] && <span id={`${id}-${name}-error`} className="field-error">{String(errors[name]?.message)}</span>}
    </div>
  );
  return (
    <>
      {field("models", "Allowed models", "Names or globs, comma-separated (gpt-4o*, mock/*). Empty: every model.", undefined, true)}
      {mcp && field("mcp_tools", "MCP tools", "Tool globs over SERVER__tool names (github__*). Empty: every tool.", undefined, true)}
      {field("rpm", "Requests per minute", "Empty: no limit.", positiveInt)}
      {field("tpm", "Tokens per minute", "Empty: no limit.", positiveInt)}
      {field("max_parallel", "Parallel requests", "Requests in flight at once. Empty: no limit.", positiveInt)}
      {field("budget_usd", "Budget (USD)", "Refused once spent. Empty: no budget.", dollars)}
      <div className="field">
        <label htmlFor={`${id}-budget_period`}>Budget period</label>
        <select id={`${id}-budget_period`} {...register("budget_period")} aria-describedby={`${id}-budget_period-hint`}>
          <option value="">total (never resets)</option>
          <option value="daily">daily</option>
          <option value="weekly">weekly</option>
          <option value="monthly">monthly</option>
        </select>
        <span id={`${id}-budget_period-hint`} className="hint">Periods are UTC; weeks start on Monday.</span>
      </div>
    </>
  );
}
