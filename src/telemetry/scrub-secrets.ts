/**
 * Keys and tokens removed from text that leaves the process for a
 * third-party service (span events, error reports). Reuses the privacy
 * module's secret detector so both agree on what a secret looks like, plus a
 * rule for `Bearer …` whatever the token's shape: an Authorization header
 * value quoted in an error message is a credential even when it is short.
 */
import { Redactor } from "../privacy/redactor.js";

let redactor: Redactor | undefined;

export const SECRET_PLACEHOLDER = "[redacted]";

export function scrubSecrets(text: string): string {
  redactor ??= new Redactor({
    kinds: ["secret"],
    custom: [{ name: "bearer", pattern: String.raw`\bBearer\s+[A-Za-z0-9._~+/=-]+`, flags: "i" }],
    replacement: () => SECRET_PLACEHOLDER,
  });
  return redactor.redactText(text).text;
}
