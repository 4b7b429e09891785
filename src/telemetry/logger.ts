import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs. Secrets are redacted wherever they may appear, so a
 * careless `log.info({ headers })` cannot leak a key.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: "liaison" },
      redact: {
        paths: [
          "headers.authorization", "headers[\"api-key\"]", "headers[\"x-api-key\"]",
          "req.headers.authorization", "req.headers[\"x-api-key\"]", "req.headers[\"api-key\"]",
          "*.api_key", "api_key", "admin_key", "*.admin_key", "key", "*.key",
        ],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination({ dest: 2, sync: false }),
  );
}
