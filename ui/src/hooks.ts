/** Loading data from the API into a page: one request at a time, aborted when the page or the path changes. */
import { useCallback, useEffect, useState } from "react";
import { api } from "./api/client";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * GET `path` (null: nothing to load yet). `refreshMs` reloads it on a timer
 * while the tab is visible; the data already shown stays until the new
 * answer arrives, so an auto-refresh does not flash an empty page.
 */
export function useApi<T>(path: string | null, refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean; path: string | null }>({ data: undefined, error: undefined, loading: path !== null, path });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    if (path === null) return;
    const ctrl = new AbortController();
    setState((s) => ({ data: s.path === path ? s.data : undefined, error: undefined, loading: true, path }));
    api<T>(path, { signal: ctrl.signal }).then(
      (data) => setState({ data, error: undefined, loading: false, path }),
      (error: unknown) => {
        if (!ctrl.signal.aborted) setState((s) => ({ data: s.path === path ? s.data : undefined, error, loading: false, path }));
      },
    );
    return () => ctrl.abort();
  }, [path, tick]);

  useEffect(() => {
    if (!refreshMs || path === null) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") reload();
    }, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, path, reload]);

  return { data: state.path === path ? state.data : undefined, error: state.error, loading: state.loading, reload };
}

/** A value kept in localStorage (display preferences only; the key never is). */
export function useStoredState<T extends string>(name: string, fallback: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => (localStorage.getItem(`liaison.${name}`) as T | null) ?? fallback);
  const set = useCallback((v: T) => {
    localStorage.setItem(`liaison.${name}`, v);
    setValue(v);
  }, [name]);
  return [value, set];
}

