/**
 * The one way an unexpected error (a bug, not a client's or an upstream's
 * failure) is reported: logged with the request it happened in, and sent to
 * the error reporter (Sentry, when configured). The client only ever sees
 * the catalog's fixed internal_error message.
 */
import type { ErrorContext, ErrorReporter } from "./error-reporter.js";
import type { Logger } from "./logger.js";

export interface UnexpectedErrorSinks {
  logger: Pick<Logger, "error">;
  errors: Pick<ErrorReporter, "capture">;
}

export function reportUnexpected(sinks: UnexpectedErrorSinks, err: unknown, context: ErrorContext & { requestId: string; route: string }): void {
  sinks.logger.error({ err, url: context.route, requestId: context.requestId }, "unexpected error");
  sinks.errors.capture(err, { ...context, code: "internal_error" });
}
