/** Small pieces several pages show: a budget bar, a status badge, a copy button, a labelled value list. */
import { useState, type ReactNode } from "react";
import { budgetShare } from "../lib/budget";
import { formatPct, formatUsd } from "../lib/format";

/** Spend against a budget: the numbers in words, the bar beside them for the eye. */
export function BudgetBar({ spent, budget, period }: { spent: number | undefined; budget: number | null; period: string | null }) {
  if (budget === null) return <span className="muted">no budget</span>;
  if (spent === undefined) return <span className="muted">{formatUsd(budget)} {period ?? "total"}</span>;
  const share = budgetShare(spent, budget) ?? 0;
  const level = share >= 1 ? "over" : share >= 0.8 ? "high" : "ok";
  return (
    <span className="budget">
      <span className="budget-text">{formatUsd(spent)} of {formatUsd(budget)} {period ?? "total"} ({Number.isFinite(share) ? formatPct(share, 0) : "over"})</span>
      <span className={`bar ${level}`} aria-hidden="true"><span style={{ width: `${Math.min(100, share * 100)}%` }} /></span>
    </span>
  );
}

export function StatusBadge({ status }: { status: number }) {
  const kind = status >= 500 ? "bad" : status >= 400 ? "warn" : "good";
  return <span className={`badge ${kind}`}>{status}</span>;
}

export function Badge({ kind, children }: { kind: "good" | "warn" | "bad" | "neutral"; children: ReactNode }) {
  return <span className={`badge ${kind}`}>{children}</span>;
}

/** Copies `text`; says so in a live region, and tells how to copy by hand when the clipboard is not available. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [said, setSaid] = useState("");
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid("Copied to the clipboard.");
    } catch {
      setSaid("The browser refused the clipboard: select the text and copy it by hand.");
    }
  };
  return (
    <>
      <button type="button" onClick={() => void copy()}>{label}</button>
      <span role="status" className="muted small">{said}</span>
    </>
  );
}

/** A list of labelled values (a <dl>), two columns when there is room. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A page's heading (focused on navigation) with its actions beside it. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children && <div className="page-actions">{children}</div>}
    </div>
  );
}
