/**
 * The limit fields keys and teams share (docs/keys-and-budgets.md), between
 * the form's text inputs and the admin API's JSON: an empty field is `null`
 * (no limit) on an edit and left out on a create; lists are comma- or
 * line-separated globs.
 */

export interface LimitRecord {
  models: string[] | null;
  mcp_tools?: string[] | null;
  rpm: number | null;
  tpm: number | null;
  max_parallel: number | null;
  budget_usd: number | null;
  budget_period: string | null;
}

/** What the form holds: every field a string, as inputs give them. */
export interface LimitForm {
  models: string;
  mcp_tools: string;
  rpm: string;
  tpm: string;
  max_parallel: string;
  budget_usd: string;
  budget_period: string;
}

export const EMPTY_LIMITS: LimitForm = { models: "", mcp_tools: "", rpm: "", tpm: "", max_parallel: "", budget_usd: "", budget_period: "" };

const list = (v: string[] | null | undefined): string => (v ?? []).join(", ");
const num = (v: number | null | undefined): string => (v === null || v === undefined ? "" : String(v));

export function toForm(r: LimitRecord): LimitForm {
  return {
    models: list(r.models), mcp_tools: list(r.mcp_tools), rpm: num(r.rpm), tpm: num(r.tpm),
    max_parallel: num(r.max_parallel), budget_usd: num(r.budget_usd), budget_period: r.budget_period ?? "",
  };
}

export function parseList(v: string): string[] | null {
  const items = v.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : null;
}

/**
 * The API body for the form. `edit`: empty fields clear the limit (null);
 * otherwise they are left out. `mcp`: whether the gateway knows the
 * `mcp_tools` field (an MCP feature), else it is never sent.
 */
export function toBody(f: LimitForm, o: { edit: boolean; mcp: boolean }): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const put = (name: string, value: unknown): void => {
    if (value !== null || o.edit) body[name] = value;
  };
  put("models", parseList(f.models));
  if (o.mcp) put("mcp_tools", parseList(f.mcp_tools));
  for (const name of ["rpm", "tpm", "max_parallel"] as const) put(name, f[name].trim() === "" ? null : Number(f[name]));
  put("budget_usd", f.budget_usd.trim() === "" ? null : Number(f.budget_usd));
  // A budget without a period is `total` on the gateway; the form says so instead of sending nothing.
  put("budget_period", f.budget_period === "" ? (f.budget_usd.trim() === "" ? null : "total") : f.budget_period);
  return body;
}
