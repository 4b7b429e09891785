/**
 * Redaction of personal data and secrets in text and in JSON request bodies.
 * Built once from config; `redactText` and `redactValue` are pure.
 */
import { DETECTORS, KINDS, type Detector, type Kind, type Span } from "./detectors.js";

export interface CustomPattern {
  /** Reported as the kind of what it finds, e.g. `employee_id`. */
  name: string;
  /** A regular expression source. */
  pattern: string;
  /** Regex flags; `g` is always added. */
  flags?: string;
}

export interface RedactorOptions {
  /** Built-in kinds to detect; all of them when omitted. */
  kinds?: readonly Kind[];
  custom?: readonly CustomPattern[];
  /** Text put in place of a finding; `[REDACTED:<KIND>]` by default. */
  replacement?: (kind: string) => string;
}

export interface RedactionResult {
  text: string;
  /** Findings per kind (built-in or custom name); kinds with none are absent. */
  found: Record<string, number>;
}

const defaultReplacement = (kind: string): string => `[REDACTED:${kind.toUpperCase()}]`;

function customDetector(c: CustomPattern): Detector {
  let re: RegExp;
  try {
    re = new RegExp(c.pattern, (c.flags ?? "").replace(/g/g, "") + "g");
  } catch (err) {
    throw new Error(`privacy.redact.custom "${c.name}": invalid pattern /${c.pattern}/${c.flags ?? ""}: ${(err as Error).message}`);
  }
  return (text) => {
    const spans: Span[] = [];
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0] === "") {
        re.lastIndex++; // an empty match would loop forever
        continue;
      }
      spans.push({ start: m.index, end: m.index + m[0].length, kind: c.name });
    }
    return spans;
  };
}

/**
 * Overlapping spans become one, covering them all, named after the longest
 * (earlier detector wins a tie). Input order is the detector order.
 */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const order = new Map(spans.map((s, i) => [s, i]));
  const sorted = [...spans].sort((a, b) => a.start - b.start || (order.get(a) ?? 0) - (order.get(b) ?? 0));
  const merged: Span[] = [];
  let best: Span | undefined;
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && best && s.start < last.end) {
      last.end = Math.max(last.end, s.end);
      const longer = s.end - s.start > best.end - best.start;
      const tieEarlier = s.end - s.start === best.end - best.start && (order.get(s) ?? 0) < (order.get(best) ?? 0);
      if (longer || tieEarlier) best = s;
      last.kind = best.kind;
    } else {
      merged.push({ ...s });
      best = s;
    }
  }
  return merged;
}

export class Redactor {
  readonly #detectors: Detector[];
  readonly #replacement: (kind: string) => string;

  constructor(options: RedactorOptions = {}) {
    const kinds = new Set(options.kinds ?? KINDS);
    for (const k of kinds) if (!(KINDS as readonly string[]).includes(k)) throw new Error(`privacy.redact.kinds: unknown kind "${k}"`);
    this.#detectors = [
      ...Object.entries(DETECTORS).filter(([k]) => kinds.has(k as Kind)).map(([, d]) => d),
      ...(options.custom ?? []).map(customDetector),
    ];
    this.#replacement = options.replacement ?? defaultReplacement;
  }

  /** The findings in `text`, merged, in order. */
  detect(text: string): Span[] {
    return mergeSpans(this.#detectors.flatMap((d) => d(text)));
  }

  redactText(text: string): RedactionResult {
    const found: Record<string, number> = {};
    const spans = this.detect(text);
    if (spans.length === 0) return { text, found };
    let out = "";
    let at = 0;
    for (const s of spans) {
      out += text.slice(at, s.start) + this.#replacement(s.kind);
      at = s.end;
      found[s.kind] = (found[s.kind] ?? 0) + 1;
    }
    return { text: out + text.slice(at), found };
  }

  /**
   * A redacted deep copy of a JSON value: every string value (message text,
   * content parts, tool-call arguments, which are themselves JSON strings) is
   * redacted; object keys are left as they are. The input is not touched.
   */
  redactValue<T>(value: T): T {
    if (typeof value === "string") return this.redactText(value).text as T;
    if (value === null || typeof value !== "object") return value;
    // An explicit work list instead of recursion: however deep a value nests
    // (a client's metadata, a body the gateway refused), the walk cannot
    // overflow the stack.
    const work: [source: object, copy: Record<string, unknown> | unknown[]][] = [];
    const root = this.#shell(value, work);
    while (work.length) {
      const [source, copy] = work.pop()!;
      if (Array.isArray(source)) {
        for (let i = 0; i < source.length; i++) (copy as unknown[])[i] = this.#copy(source[i], work);
      } else {
        for (const [k, v] of Object.entries(source)) {
          // A "__proto__" key (JSON allows it) must stay data, not become the copy's prototype.
          if (k === "__proto__") Object.defineProperty(copy, k, { value: this.#copy(v, work), enumerable: true, writable: true, configurable: true });
          else (copy as Record<string, unknown>)[k] = this.#copy(v, work);
        }
      }
    }
    return root as T;
  }

  /** A string redacted, a scalar as it is, a container as an empty copy queued for filling. */
  #copy(value: unknown, work: [object, Record<string, unknown> | unknown[]][]): unknown {
    if (typeof value === "string") return this.redactText(value).text;
    if (value === null || typeof value !== "object") return value;
    return this.#shell(value, work);
  }

  #shell(value: object, work: [object, Record<string, unknown> | unknown[]][]): Record<string, unknown> | unknown[] {
    const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? new Array<unknown>(value.length) : {};
    work.push([value, copy]);
    return copy;
  }
}
