/**
 * One detector per kind of personal data or secret. Each is a single
 * left-to-right regex pass that finds loose candidates, followed by a check
 * in code (checksums, ranges, context) that decides. Every regex starts with a
 * lookbehind that only lets a candidate begin at the start of a run, and its
 * repetitions are either bounded or unambiguous, so a pass stays linear even
 * on long digit-and-dot strings.
 */
import {
  cardValid, dniValid, IBAN_LENGTHS, ibanValid, ipv4Valid, ipv6Valid, ninoValid, shannonEntropy, ssnValid,
} from "./validators.js";

export const KINDS = ["email", "phone", "card", "iban", "national_id", "ip", "secret"] as const;
export type Kind = (typeof KINDS)[number];

/** A half-open range `[start, end)` of the text, and what was found there. */
export interface Span {
  start: number;
  end: number;
  /** A built-in kind, or the name of a custom pattern. */
  kind: string;
}

export type Detector = (text: string) => Span[];

/** Runs `re` (global) over `text`; `accept` maps a match to a span or rejects it. */
function scan(text: string, re: RegExp, kind: Kind, accept: (m: RegExpExecArray) => [number, number] | null): Span[] {
  const spans: Span[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const range = accept(m);
    if (range) spans.push({ start: range[0], end: range[1], kind });
  }
  return spans;
}

/** The text just before `index`, lower-cased, for context checks. */
const before = (text: string, index: number, width = 24): string => text.slice(Math.max(0, index - width), index).toLowerCase();

// ---------------------------------------------------------------- email

const EMAIL = /(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
// `icon@2x.png` is a file name, not an address.
const FILE_EXTENSIONS = new Set(["png", "jpg", "jpeg", "gif", "svg", "webp", "pdf", "js", "ts", "json", "txt"]);

export const detectEmail: Detector = (text) =>
  scan(text, EMAIL, "email", (m) => {
    const value = m[0].replace(/\.+$/, "");
    const [local = "", domain = ""] = value.split("@");
    if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return null;
    const labels = domain.split(".");
    const tld = labels[labels.length - 1] ?? "";
    if (!/^[A-Za-z]{2,24}$/.test(tld) || FILE_EXTENSIONS.has(tld.toLowerCase())) return null;
    if (labels.some((l) => l === "" || l.startsWith("-") || l.endsWith("-"))) return null;
    return [m.index, m.index + value.length];
  });

// ---------------------------------------------------------------- phone

const PHONE = /(?<![\w+.\-/])(?:\+|00)?\(?\d[\d ().-]{5,22}\d(?![\w/])/g;
// Numbers introduced by these words are identifiers, not phone numbers.
const NOT_A_PHONE_CONTEXT = /(?:order|invoice|sku|part|model|ref|serial|isbn|tracking|ticket|account|no\.|#|id)\s*[:#.]?\s*$/;
const DATE_PREFIX = /^(?:\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4})(?!\d)/;

/**
 * International numbers (`+CC …` or `00CC …`, 8–15 digits, separators
 * optional) and national numbers with separators (9–11 digits, groups of at
 * least two digits, three or more groups, or a trunk `0`, or an area code in
 * parentheses). Dates, SSN-shaped and context-marked identifiers are left
 * alone.
 */
export const detectPhone: Detector = (text) =>
  scan(text, PHONE, "phone", (m) => {
    const value = m[0];
    if (NOT_A_PHONE_CONTEXT.test(before(text, m.index, 16))) return null;
    if (DATE_PREFIX.test(value) || /^\d{3}-\d{2}-\d{4}$/.test(value)) return null;
    if (/[ .()-]{3,}|\.\.|--/.test(value)) return null;
    const digits = value.replace(/\D/g, "");
    const groups = value.split(/[^\d]+/).filter((g) => g !== "");
    if (value.startsWith("+") || value.startsWith("00")) {
      const n = value.startsWith("+") ? digits.length : digits.length - 2;
      if (value.startsWith("00") && (groups.length < 2 || !/^00[1-9]/.test(value))) return null;
      return n >= 8 && n <= 15 ? [m.index, m.index + value.length] : null;
    }
    if (digits.length < 9 || digits.length > 11 || groups.length < 2) return null;
    // Nine-digit national numbers are Spanish: they start with 6–9.
    if (digits.length === 9 && !/^[06-9]/.test(digits)) return null;
    const [first = "", ...rest] = groups;
    if (rest.some((g) => g.length < 2) || (first.length < 2 && first !== "1")) return null;
    const shaped = groups.length >= 3 || value.startsWith("(") || first.startsWith("0");
    return shaped ? [m.index, m.index + value.length] : null;
  });

// ---------------------------------------------------------------- card

const CARD = /(?<![\d+\-.])\d(?:[ -]?\d){11,18}(?![\d])/g;
const CARD_GROUPINGS = new Set(["4-4-4-4", "4-6-5", "4-6-4", "4-4-4-4-3", "4-4-4-1", "4-4-5", "4-4-4-2", "4-4-4-3"]);

/** 12–19 digits, optionally grouped the way cards are printed; IIN and Luhn checked. */
export const detectCard: Detector = (text) =>
  scan(text, CARD, "card", (m) => {
    const value = m[0];
    const seps = new Set(value.replace(/\d/g, ""));
    if (seps.size > 1) return null;
    if (seps.size === 1 && !CARD_GROUPINGS.has(value.split(/[ -]/).map((g) => g.length).join("-"))) return null;
    return cardValid(value.replace(/\D/g, "")) ? [m.index, m.index + value.length] : null;
  });

// ---------------------------------------------------------------- iban

const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,30}/g;

/** Country code, check digits and BBAN of the country's length, mod-97 checked; spaces allowed. */
export const detectIban: Detector = (text) =>
  scan(text, IBAN, "iban", (m) => {
    const value = m[0];
    const length = IBAN_LENGTHS[value.slice(0, 2).toUpperCase()];
    if (length === undefined) return null;
    // The loose match may run into a following word; cut at the country's length.
    let taken = 0;
    let end = 0;
    while (end < value.length && taken < length) {
      if (value[end] !== " ") taken++;
      end++;
    }
    if (taken < length) return null;
    const next = text[m.index + end];
    if (next !== undefined && /[A-Za-z0-9]/.test(next)) return null;
    return ibanValid(value.slice(0, end)) ? [m.index, m.index + end] : null;
  });

// ---------------------------------------------------------------- national ids

const SSN = /(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])/g;
const NINO = /(?<![A-Za-z0-9])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g;
const DNI = /(?<![A-Za-z0-9])(?:[XYZ]\d{7}|\d{8})-?[A-Z](?![A-Za-z0-9])/g;

/**
 * US SSN (`123-45-6789` or space-separated, SSA range rules), UK National
 * Insurance number (`AB 12 34 56 C`, prefix rules) and Spanish DNI/NIE
 * (`12345678Z`, `X1234567L`, check letter). Bare nine-digit SSNs are not
 * matched: without separators they are indistinguishable from order numbers.
 */
export const detectNationalId: Detector = (text) => [
  ...scan(text, SSN, "national_id", (m) => (ssnValid(m[0].replace(/\D/g, "")) ? [m.index, m.index + m[0].length] : null)),
  ...scan(text, NINO, "national_id", (m) => (ninoValid(m[0]) ? [m.index, m.index + m[0].length] : null)),
  ...scan(text, DNI, "national_id", (m) => (dniValid(m[0]) ? [m.index, m.index + m[0].length] : null)),
];

// ---------------------------------------------------------------- ip

const IP = /(?<![\w:.])[0-9A-Fa-f:.]+/g;
// "version 1.2.3.4", "Section 4.2.1.3": numbered things, not addresses.
const VERSION_CONTEXT = /(?:\b(?:version|ver\.?|release|build|v|section|chapter|rule|step|figure|table|clause|paragraph)|§)\s*$/;

/** IPv4 (octets 0–255) and IPv6 (full, `::`-compressed, IPv4-suffixed); not version strings. */
export const detectIp: Detector = (text) =>
  scan(text, IP, "ip", (m) => {
    let value = m[0].replace(/\.$/, "");
    const after = text[m.index + m[0].length];
    if (after !== undefined && /\w/.test(after)) return null;
    // `192.0.2.1:8080`: the port is not part of the address.
    const withPort = /^([\d.]+):\d{1,5}$/.exec(value);
    if (withPort?.[1] !== undefined) value = withPort[1];
    if (value.includes(":") ? !ipv6Valid(value) || !/\d/.test(value) : !ipv4Valid(value)) return null;
    if (!value.includes(":") && VERSION_CONTEXT.test(before(text, m.index, 12))) return null;
    return [m.index, m.index + value.length];
  });

// ---------------------------------------------------------------- secret

const PREFIXED_SECRETS: readonly RegExp[] = [
  /(?<![\w-])sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}/g, // OpenAI, Anthropic
  /(?<![\w-])[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/g, // Stripe
  /(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])/g, // AWS access key id
  /(?<![\w-])gh[pousr]_[A-Za-z0-9]{36,}/g, // GitHub tokens
  /(?<![\w-])github_pat_[A-Za-z0-9_]{22,}/g,
  /(?<![\w-])xox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack
  /(?<![\w-])AIza[0-9A-Za-z_-]{35}/g, // Google API key
  /(?<![\w-])eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JWT
  /(?<![\w-])lsk_[A-Za-z0-9_-]{16,}/g, // Liaison virtual keys
  /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]{0,8000}?-----END (?:[A-Z]+ )?PRIVATE KEY-----/g,
];

// A keyword, up to four punctuation characters, an optional "is" (in a few
// languages), then the token. Every gap is bounded, so there is little to backtrack.
const KEYWORD_SECRET =
  /\b(?:api[_-]?key|access[_-]?key|secret(?:[_-]?key)?|token|password|passwd|pwd|bearer|authorization|credentials?|key)s?\b[^\w\n]{0,4}(?:(?:is|ist|est|es|was|lautet)\b[^\w\n]{0,4})?([A-Za-z0-9_\-+/=.~]{16,512})/gi;

/** Minimum Shannon entropy (bits/char) for a token after a keyword to count as a secret. */
export const MIN_SECRET_ENTROPY = 3.2;

/** Whether a token looks machine-generated: long, letters and digits, high entropy. */
export function looksRandom(token: string): boolean {
  return token.length >= 16 && /\d/.test(token) && /[A-Za-z]/.test(token) && shannonEntropy(token) >= MIN_SECRET_ENTROPY;
}

/** Well-known key formats, plus high-entropy tokens after words like key/token/secret/password. */
export const detectSecret: Detector = (text) => {
  const spans: Span[] = [];
  for (const re of PREFIXED_SECRETS) spans.push(...scan(text, re, "secret", (m) => [m.index, m.index + m[0].length]));
  spans.push(
    ...scan(text, KEYWORD_SECRET, "secret", (m) => {
      const token = (m[1] ?? "").replace(/\.+$/, "");
      if (!looksRandom(token)) return null;
      const start = m.index + m[0].length - (m[1] ?? "").length;
      return [start, start + token.length];
    }),
  );
  return spans;
};

/** The built-in detectors, in tie-break order (earlier wins between equally long spans). */
export const DETECTORS: Readonly<Record<Kind, Detector>> = {
  secret: detectSecret,
  card: detectCard,
  iban: detectIban,
  national_id: detectNationalId,
  email: detectEmail,
  ip: detectIp,
  phone: detectPhone,
};
