/**
 * The dashboard's only way to the gateway: same-origin fetches to the admin
 * and /v1 APIs with the signed-in key as a bearer token. The key lives in
 * this tab's session storage (never a cookie, so no other site can make the
 * browser send it); closing the tab forgets it.
 */

const STORAGE_KEY = "liaison.apiKey";

export const session = {
  key(): string | null {
    return sessionStorage.getItem(STORAGE_KEY);
  },
  save(key: string): void {
    sessionStorage.setItem(STORAGE_KEY, key);
  },
  clear(): void {
    sessionStorage.removeItem(STORAGE_KEY);
  },
};

/** An API error in OpenAI's shape, with what the page needs to explain it. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code: string | null = null, readonly param: string | null = null) {
    super(message);
    this.name = "ApiError";
  }
}

/** Fired when the gateway refuses the key (revoked, expired): the app signs out and says why. */
export const KEY_REFUSED = "liaison:key-refused";

async function errorOf(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  let code: string | null = null;
  let param: string | null = null;
  try {
    const body = (await res.json()) as { error?: { message?: string; code?: string | null; param?: string | null } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code ?? null;
    param = body.error?.param ?? null;
  } catch {
    // Not JSON: the status line says enough.
  }
  return new ApiError(res.status, message, code, param);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** The raw response of an authenticated request (streams read it themselves); non-2xx answers throw ApiError. */
export async function request(path: string, o: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...o.headers };
  const key = session.key();
  if (key) headers.authorization = `Bearer ${key}`;
  if (o.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method: o.method ?? "GET",
    headers,
    ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401) window.dispatchEvent(new CustomEvent(KEY_REFUSED, { detail: err.message }));
    throw err;
  }
  return res;
}

/** A JSON request: the parsed answer. */
export async function api<T>(path: string, o: RequestOptions = {}): Promise<T> {
  const res = await request(path, o);
  return (await res.json()) as T;
}

/** What to tell the user about a failed request, with what to do about it. */
export function explain(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return `${err.message} Sign in with a key whose role allows it.`;
    if (err.status === 401) return `${err.message} Sign in again with a valid key.`;
    if (err.status === 404 && err.code === "unknown_route") return "This gateway does not serve that API: it may be an older version.";
    if (err.status >= 500) return `${err.message} The gateway or its store had a problem: try again, and check the gateway's log if it persists.`;
    return err.message;
  }
  if (err instanceof TypeError) return "The gateway did not answer. Check that it is running and reachable, then try again.";
  return err instanceof Error ? err.message : String(err);
}
