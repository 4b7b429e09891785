/** What a page shows while it loads, when there is nothing, and when something failed — each saying what to do. */
import type { ReactNode } from "react";
import { explain } from "../api/client";

export function Loading({ what }: { what: string }) {
  return <p className="muted" role="status">Loading {what}…</p>;
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="callout error" role="alert">
      <p>{explain(error)}</p>
      {retry && <button type="button" onClick={retry}>Try again</button>}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children && <div className="muted">{children}</div>}
    </div>
  );
}

/** Loading, error or content, in that order: `data` present means the content renders (a refresh error shows above it). */
export function Loaded<T>({ state, what, children }: { state: { data: T | undefined; error: unknown; loading: boolean; reload: () => void }; what: string; children: (data: T) => ReactNode }) {
  if (state.data === undefined) {
    if (state.error !== undefined) return <ErrorState error={state.error} retry={state.reload} />;
    return <Loading what={what} />;
  }
  return (
    <>
      {state.error !== undefined && <ErrorState error={state.error} retry={state.reload} />}
      {children(state.data)}
    </>
  );
}
