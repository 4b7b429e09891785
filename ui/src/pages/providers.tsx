/**
 * Providers: each configured target's circuit, error rate, latency and
 * price (GET /admin/providers), refreshed every 10 s; the providers with
 * their models, the configured models with their strategy, and the aliases.
 */
import type { ProviderTarget, ProvidersAnswer } from "../api/types";
import type { Me } from "../lib/access";
import { formatInt, formatMs, formatPct, formatTime } from "../lib/format";
import { useApi } from "../hooks";
import { DataTable, type Column } from "../components/data-table";
import { Loaded } from "../components/states";
import { Badge, PageHeader } from "../components/bits";

const perMillion = (v: number): string => `$${Number(v.toPrecision(4))}`;

const targetColumns: Column<ProviderTarget>[] = [
  { accessorKey: "target", header: "Target", cell: (c) => <code>{c.getValue() as string}</code> },
  { accessorKey: "type", header: "Type" },
  {
    accessorKey: "circuit", header: "Circuit",
    cell: (c) => {
      const t = c.row.original;
      const kind = t.circuit === "closed" ? "good" : t.circuit === "open" ? "bad" : "warn";
      return <span><Badge kind={kind}>{t.circuit}</Badge>{t.retry_at && <span className="muted small"> retry {formatTime(t.retry_at)}</span>}</span>;
    },
  },
  { accessorKey: "error_rate", header: "Error rate", cell: (c) => formatPct(c.getValue() as number) },
  { accessorKey: "requests", header: "Recent requests", cell: (c) => formatInt(c.getValue() as number) },
  { accessorKey: "latency_ms", header: "Latency", cell: (c) => formatMs(c.getValue() as number | null) },
  { accessorKey: "ttft_ms", header: "First token", cell: (c) => formatMs(c.getValue() as number | null) },
  { accessorKey: "in_flight", header: "In flight" },
  {
    id: "price", header: "Price per 1M tokens (in / out)", enableSorting: false,
    cell: (c) => {
      const p = c.row.original.price;
      return p ? <span>{perMillion(p.input)} / {perMillion(p.output)} <span className="muted small">({p.source})</span></span> : <span className="muted">unknown</span>;
    },
  },
];

type ProviderRow = ProvidersAnswer["providers"][number];
const providerColumns: Column<ProviderRow>[] = [
  { accessorKey: "name", header: "Provider", cell: (c) => <strong>{c.getValue() as string}</strong> },
  { accessorKey: "type", header: "Type" },
  { id: "models", header: "Models it lists", enableSorting: false, cell: (c) => c.row.original.models?.join(", ") || <span className="muted">any (passed through)</span> },
];

type ModelRow = NonNullable<ProvidersAnswer["models"]>[number];
const modelColumns: Column<ModelRow>[] = [
  { accessorKey: "name", header: "Model", cell: (c) => <strong>{c.getValue() as string}</strong> },
  { accessorKey: "strategy", header: "Strategy" },
  { id: "targets", header: "Targets", enableSorting: false, cell: (c) => c.row.original.targets.join(", ") },
  { id: "fallbacks", header: "Fallbacks", enableSorting: false, cell: (c) => c.row.original.fallbacks.join(", ") || <span className="muted">none</span> },
];

export function ProvidersPage(_props: { me: Me }) {
  const answer = useApi<ProvidersAnswer>("/admin/providers", 10_000);
  return (
    <>
      <PageHeader title="Providers" />
      <Loaded state={answer} what="providers">
        {(a) => (
          <>
            <p className="muted small">Health is this instance's recent window; circuits and limits are shared through {a.shared_state === "redis" ? "Redis" : "this process's memory only"}. Refreshed every 10 s.</p>
            <section aria-labelledby="targets">
              <h2 id="targets">Targets</h2>
              <DataTable caption="Targets: circuit, errors, latency and price" columns={targetColumns} data={a.targets} rowKey={(t) => t.target}
                empty={<p className="muted">No model in the config names a target yet: requests go straight to <code>provider/model</code>. Add <code>models:</code> to the config to route, retry and fall back.</p>} />
            </section>
            <section aria-labelledby="providers">
              <h2 id="providers">Providers</h2>
              <DataTable caption="Configured providers" columns={providerColumns} data={a.providers} rowKey={(p) => p.name}
                empty={<p className="muted">No provider is configured. Add one under <code>providers:</code> in the config (docs/providers.md).</p>} />
            </section>
            {a.models && (
              <section aria-labelledby="models">
                <h2 id="models">Models</h2>
                <DataTable caption="Configured models" columns={modelColumns} data={a.models} rowKey={(m) => m.name}
                  empty={<p className="muted">No models are configured; clients name <code>provider/model</code> directly.</p>} />
              </section>
            )}
            {a.aliases && Object.keys(a.aliases).length > 0 && (
              <section aria-labelledby="aliases">
                <h2 id="aliases">Aliases</h2>
                <ul className="plain">
                  {Object.entries(a.aliases).map(([alias, model]) => <li key={alias}><code>{alias}</code> → <code>{model}</code></li>)}
                </ul>
              </section>
            )}
          </>
        )}
      </Loaded>
    </>
  );
}
