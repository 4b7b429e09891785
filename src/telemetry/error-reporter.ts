/**
 * Unexpected exceptions reported to Sentry, when a DSN is configured.
 *
 * @sentry/node is an optional dependency, imported only when a DSN is set: a
 * gateway without Sentry neither needs it installed nor pays its memory. It
 * runs as a private client (no `Sentry.init`): no global handlers, no
 * instrumentation, nothing that reads HTTP traffic, and an embedding
 * application's own Sentry setup is left alone.
 *
 * What leaves the process is the error's type, message and stack (keys and
 * tokens scrubbed), plus the request id, route and error code as tags. Never
 * request or response bodies, headers, cookies or user data: every event and
 * breadcrumb passes through a scrubber that drops those fields whatever put
 * them there.
 */
import { scrubSecrets } from "./scrub-secrets.js";

export interface ErrorReporterConfig {
  dsn?: string;
  /** e.g. "production"; shown and filterable in Sentry. */
  environment?: string;
  /** Share of errors sent, 0..1 (default 1). */
  sample_rate?: number;
  release?: string;
}

export interface ErrorContext {
  requestId?: string;
  route?: string;
  /** The GatewayError code, when there is one. */
  code?: string;
  /** The request's trace id, to find its spans from the report. */
  traceId?: string;
}

export interface ErrorReporter {
  readonly enabled: boolean;
  /** Reports an error in the background; never throws. */
  capture(error: unknown, context?: ErrorContext): void;
  /** Waits (up to `timeoutMs`) for queued reports to be sent. */
  flush(timeoutMs?: number): Promise<void>;
  /** Flushes and releases the client (its timers and process listeners). */
  close(timeoutMs?: number): Promise<void>;
}

export interface ErrorReporterLog {
  warn(obj: object, msg?: string): void;
}

const NOOP_REPORTER: ErrorReporter = {
  enabled: false,
  capture(): void {},
  async flush(): Promise<void> {},
  async close(): Promise<void> {},
};

// ---------------------------------------------------------------- the slice of @sentry/node used here

/*
 * Declared structurally rather than imported: the package is optional, so the
 * typecheck must pass without it installed. Only what this file calls.
 */
interface SentryClient {
  init(): void;
  flush(timeout?: number): PromiseLike<boolean>;
  close(timeout?: number): PromiseLike<boolean>;
}
interface SentryScope {
  setClient(client: SentryClient): void;
  setTag(key: string, value: string): unknown;
  clone(): SentryScope;
  captureException(exception: unknown): string;
}
interface SentryModule {
  NodeClient: new (options: Record<string, unknown>) => SentryClient;
  Scope: new () => SentryScope;
  makeNodeTransport: unknown;
  defaultStackParser: unknown;
  linkedErrorsIntegration(): unknown;
}

/** The parts of a Sentry event that can carry data; everything here is optional and loosely typed on purpose. */
interface SentryEvent {
  message?: string;
  logentry?: { message?: string; formatted?: string; params?: unknown[] };
  exception?: { values?: { value?: string; stacktrace?: { frames?: Record<string, unknown>[] } }[] };
  breadcrumbs?: SentryBreadcrumb[];
  tags?: Record<string, unknown>;
  contexts?: Record<string, unknown>;
  request?: unknown;
  user?: unknown;
  extra?: unknown;
}
interface SentryBreadcrumb {
  message?: string;
  data?: unknown;
}

// ---------------------------------------------------------------- scrubbing

/** Contexts that describe the machine and trace, not the request. */
const KEPT_CONTEXTS = new Set(["trace", "runtime", "os", "app", "device", "culture", "cloud_resource"]);
/** Stack frame fields that can hold source text or local variables. */
const FRAME_DATA = ["vars", "pre_context", "context_line", "post_context"];

export function scrubBreadcrumb<B extends SentryBreadcrumb>(crumb: B): B {
  delete crumb.data;
  if (crumb.message !== undefined) crumb.message = scrubSecrets(crumb.message);
  return crumb;
}

/** Removes request data, users, extras and secrets from an event (in place) before it is sent. */
export function scrubEvent<E extends SentryEvent>(event: E): E {
  delete event.request;
  delete event.user;
  delete event.extra;
  if (event.message !== undefined) event.message = scrubSecrets(event.message);
  if (event.logentry) {
    delete event.logentry.params;
    if (event.logentry.message !== undefined) event.logentry.message = scrubSecrets(event.logentry.message);
    if (event.logentry.formatted !== undefined) event.logentry.formatted = scrubSecrets(event.logentry.formatted);
  }
  for (const value of event.exception?.values ?? []) {
    if (value.value !== undefined) value.value = scrubSecrets(value.value);
    for (const frame of value.stacktrace?.frames ?? []) for (const key of FRAME_DATA) delete frame[key];
  }
  if (event.breadcrumbs) event.breadcrumbs = event.breadcrumbs.map(scrubBreadcrumb);
  if (event.tags) {
    for (const [key, value] of Object.entries(event.tags)) if (typeof value === "string") event.tags[key] = scrubSecrets(value);
  }
  if (event.contexts) {
    for (const key of Object.keys(event.contexts)) if (!KEPT_CONTEXTS.has(key)) delete event.contexts[key];
  }
  return event;
}

// ---------------------------------------------------------------- the reporter

// A variable, so neither TypeScript nor a bundler tries to resolve the optional package.
const SENTRY_MODULE = "@sentry/node";

function sentryReporter(sentry: SentryModule, config: ErrorReporterConfig & { dsn: string }, log?: ErrorReporterLog): ErrorReporter {
  const client = new sentry.NodeClient({
    dsn: config.dsn,
    environment: config.environment,
    release: config.release,
    sampleRate: config.sample_rate ?? 1,
    transport: sentry.makeNodeTransport,
    stackParser: sentry.defaultStackParser,
    // Only error causes; none of the default integrations (HTTP, console, request data, context lines, local variables, …).
    integrations: [sentry.linkedErrorsIntegration()],
    dataCollection: {
      userInfo: false, cookies: false, httpHeaders: false, httpBodies: [], urlQueryParams: false,
      genAI: { inputs: false, outputs: false }, graphQL: { document: false, variables: false },
    },
    maxBreadcrumbs: 0,
    sendClientReports: false,
    // No module-loading hooks: the gateway has nothing for Sentry to instrument.
    enableRuntimeChannelInjection: false,
    beforeSend: (event: SentryEvent) => scrubEvent(event),
    beforeBreadcrumb: (crumb: SentryBreadcrumb) => scrubBreadcrumb(crumb),
  });
  const scope = new sentry.Scope();
  scope.setClient(client);
  client.init();

  return {
    enabled: true,
    capture(error: unknown, context: ErrorContext = {}): void {
      try {
        const s = scope.clone();
        if (context.requestId !== undefined) s.setTag("request_id", context.requestId);
        if (context.route !== undefined) s.setTag("route", context.route);
        if (context.code !== undefined) s.setTag("error_code", context.code);
        if (context.traceId !== undefined) s.setTag("trace_id", context.traceId);
        s.captureException(error);
      } catch (err) {
        // Reporting must never become the failure.
        log?.warn({ err: (err as Error).message }, "error report failed");
      }
    },
    async flush(timeoutMs = 2_000): Promise<void> {
      await client.flush(timeoutMs);
    },
    async close(timeoutMs = 2_000): Promise<void> {
      await client.close(timeoutMs);
    },
  };
}

/** Checked here because an invalid DSN makes Sentry print to the console and drop every event silently. */
function isDsn(dsn: string): boolean {
  try {
    const url = new URL(dsn);
    return (url.protocol === "https:" || url.protocol === "http:") && url.username !== "" && /^\/(?:.*\/)?\d+\/?$/.test(url.pathname);
  } catch {
    return false;
  }
}

export async function createErrorReporter(config: ErrorReporterConfig | undefined, log?: ErrorReporterLog): Promise<ErrorReporter> {
  const dsn = config?.dsn;
  if (!dsn) return NOOP_REPORTER;
  if (!isDsn(dsn)) {
    log?.warn({}, "Sentry DSN is not of the form https://KEY@HOST/PROJECT; errors will not be reported");
    return NOOP_REPORTER;
  }
  let sentry: SentryModule;
  try {
    sentry = (await import(SENTRY_MODULE)) as SentryModule;
  } catch (err) {
    log?.warn({ err: (err as Error).message }, "Sentry is configured but @sentry/node could not be loaded (install it with `npm install @sentry/node`); errors will not be reported");
    return NOOP_REPORTER;
  }
  try {
    return sentryReporter(sentry, { ...config, dsn }, log);
  } catch (err) {
    log?.warn({ err: (err as Error).message }, "Sentry could not be set up; errors will not be reported");
    return NOOP_REPORTER;
  }
}
