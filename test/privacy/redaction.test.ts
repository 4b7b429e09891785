import { describe, expect, it } from "vitest";
import {
  KINDS, Redactor, dniValid, ibanValid, ipv4Valid, ipv6Valid, luhnValid, ninoValid, shannonEntropy, ssnValid,
  type Span,
} from "../../src/privacy/index.js";
import { NEGATIVES, POSITIVES, type Example } from "./corpus.js";

interface Tally { tp: number; fp: number; fn: number }

/** A label is found when a span of its kind overlaps it; any other span is a false positive. */
function score(redactor: Redactor, examples: readonly Example[]) {
  const tally = new Map<string, Tally>(KINDS.map((k) => [k, { tp: 0, fp: 0, fn: 0 }]));
  const misses: string[] = [];
  for (const ex of examples) {
    const spans = redactor.detect(ex.text);
    const used = new Set<Span>();
    let from = 0;
    for (const label of ex.labels) {
      const start = ex.text.indexOf(label.value, from);
      if (start < 0) throw new Error(`label ${label.value} not in ${ex.text}`);
      from = start + label.value.length;
      const hit = spans.find((s) => s.kind === label.kind && s.start < start + label.value.length && s.end > start);
      const t = tally.get(label.kind)!;
      if (hit) {
        t.tp++;
        used.add(hit);
      } else {
        t.fn++;
        misses.push(`FN ${label.kind}: ${ex.text}`);
      }
    }
    for (const s of spans) {
      if (used.has(s)) continue;
      tally.get(s.kind)!.fp++;
      misses.push(`FP ${s.kind} "${ex.text.slice(s.start, s.end)}": ${ex.text}`);
    }
  }
  return { tally, misses };
}

const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);

describe("detection quality on the labelled corpus", () => {
  const examples: Example[] = [...POSITIVES, ...NEGATIVES.map((text) => ({ text, labels: [] }))];
  const { tally, misses } = score(new Redactor(), examples);
  const all = [...tally.values()].reduce((a, t) => ({ tp: a.tp + t.tp, fp: a.fp + t.fp, fn: a.fn + t.fn }), { tp: 0, fp: 0, fn: 0 });

  const rows = [...tally.entries(), ["overall", all] as const].map(([kind, t]) => ({
    kind, tp: t.tp, fp: t.fp, fn: t.fn,
    precision: ratio(t.tp, t.tp + t.fp).toFixed(3), recall: ratio(t.tp, t.tp + t.fn).toFixed(3),
  }));
  console.log(`corpus: ${POSITIVES.length} positive examples, ${NEGATIVES.length} negatives`);
  console.table(rows);
  if (misses.length > 0) console.log(misses.join("\n"));

  it("is big enough to mean something", () => {
    expect(POSITIVES.length).toBeGreaterThanOrEqual(150);
    expect(NEGATIVES.length).toBeGreaterThanOrEqual(150);
    for (const k of KINDS) expect(POSITIVES.filter((e) => e.labels.some((l) => l.kind === k)).length, k).toBeGreaterThanOrEqual(10);
  });

  it("has overall precision ≥ 0.97 and recall ≥ 0.95", () => {
    expect(ratio(all.tp, all.tp + all.fp)).toBeGreaterThanOrEqual(0.97);
    expect(ratio(all.tp, all.tp + all.fn)).toBeGreaterThanOrEqual(0.95);
  });

  it.each(KINDS)("has precision and recall ≥ 0.9 for %s", (kind) => {
    const t = tally.get(kind)!;
    expect(ratio(t.tp, t.tp + t.fp)).toBeGreaterThanOrEqual(0.9);
    expect(ratio(t.tp, t.tp + t.fn)).toBeGreaterThanOrEqual(0.9);
  });
});

describe("validators", () => {
  it("Luhn", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("79927398713")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(luhnValid("79927398710")).toBe(false);
    expect(luhnValid("4111-1111")).toBe(false);
  });

  it("IBAN mod-97 and length per country", () => {
    expect(ibanValid("DE89370400440532013000")).toBe(true);
    expect(ibanValid("GB29 NWBK 6016 1331 9268 19")).toBe(true);
    expect(ibanValid("fr1420041010050500013m02606")).toBe(true);
    expect(ibanValid("DE88370400440532013000")).toBe(false); // check digits
    expect(ibanValid("DE8937040044053201300")).toBe(false); // length
    expect(ibanValid("QQ89370400440532013000")).toBe(false); // country
  });

  it("SSN ranges", () => {
    expect(ssnValid("123456789")).toBe(true);
    for (const bad of ["000123456", "666123456", "900123456", "999123456", "123006789", "123450000", "12345678"]) expect(ssnValid(bad), bad).toBe(false);
  });

  it("NINO prefixes and suffix, DNI/NIE check letters", () => {
    expect(ninoValid("AB 12 34 56 C")).toBe(true);
    for (const bad of ["QQ123456C", "GB123456A", "AO123456A", "AB123456E", "DA123456A"]) expect(ninoValid(bad), bad).toBe(false);
    expect(dniValid("12345678Z")).toBe(true);
    expect(dniValid("12345678-Z")).toBe(true);
    expect(dniValid("X1234567L")).toBe(true);
    expect(dniValid("12345678A")).toBe(false);
    expect(dniValid("X1234567A")).toBe(false);
  });

  it("IP addresses", () => {
    expect(ipv4Valid("192.0.2.1")).toBe(true);
    expect(ipv4Valid("256.0.0.1")).toBe(false);
    expect(ipv4Valid("01.2.3.4")).toBe(false);
    expect(ipv4Valid("1.2.3")).toBe(false);
    for (const ok of ["2001:db8::1", "::1", "::", "fe80::", "2001:db8:0:0:0:0:2:1", "::ffff:192.0.2.1"]) expect(ipv6Valid(ok), ok).toBe(true);
    for (const bad of ["2001:db8", "1:2:3:4:5:6:7", "1::2::3", "12345::1", "00:1A:2B:3C:4D:5E", "1:2:3:4:5:6:7:8:9"]) expect(ipv6Valid(bad), bad).toBe(false);
  });

  it("entropy", () => {
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abcd")).toBe(2);
  });
});

describe("Redactor", () => {
  it("replaces findings and counts them per kind", () => {
    const r = new Redactor();
    const out = r.redactText("Mail alice@example.com or bob@example.org, card 4111 1111 1111 1111.");
    expect(out.text).toBe("Mail [REDACTED:EMAIL] or [REDACTED:EMAIL], card [REDACTED:CARD].");
    expect(out.found).toEqual({ email: 2, card: 1 });
  });

  it("detects only the configured kinds, with a custom replacement", () => {
    const r = new Redactor({ kinds: ["email"], replacement: (k) => `<${k}>` });
    expect(r.redactText("alice@example.com 4111111111111111").text).toBe("<email> 4111111111111111");
  });

  it("merges overlapping spans, longest wins", () => {
    const r = new Redactor({ kinds: [], custom: [{ name: "short", pattern: "abc" }, { name: "long", pattern: "bcdef" }] });
    expect(r.redactText("xabcdefx")).toEqual({ text: "x[REDACTED:LONG]x", found: { long: 1 } });
  });

  it("applies custom patterns with flags", () => {
    const r = new Redactor({ custom: [{ name: "employee_id", pattern: "\\bemp-\\d{5}\\b", flags: "i" }] });
    expect(r.redactText("EMP-12345 and emp-54321 logged in")).toEqual({
      text: "[REDACTED:EMPLOYEE_ID] and [REDACTED:EMPLOYEE_ID] logged in",
      found: { employee_id: 2 },
    });
  });

  it("rejects an invalid custom pattern, naming it", () => {
    expect(() => new Redactor({ custom: [{ name: "broken", pattern: "(unclosed" }] })).toThrow(/broken.*\(unclosed/);
    expect(() => new Redactor({ custom: [{ name: "badflags", pattern: "x", flags: "q" }] })).toThrow(/badflags/);
  });

  it("rejects unknown kinds", () => {
    expect(() => new Redactor({ kinds: ["nope" as never] })).toThrow(/nope/);
  });

  it("redactValue redacts strings deep inside a request body, leaves keys, and does not mutate", () => {
    const body = {
      model: "gpt-4o",
      temperature: 0.2,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "I am alice@example.com" }, { type: "image_url", image_url: { url: "https://example.com/a.png" } }] },
        { role: "assistant", tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: "{\"ip\":\"192.0.2.7\"}" } }] },
      ],
      metadata: { "alice@example.com": null, flags: [true, 1] },
    };
    const before = structuredClone(body);
    const out = new Redactor().redactValue(body);
    expect(body).toEqual(before);
    expect(out).not.toBe(body);
    expect(out.messages[1]?.content).toEqual([
      { type: "text", text: "I am [REDACTED:EMAIL]" },
      { type: "image_url", image_url: { url: "https://example.com/a.png" } },
    ]);
    expect(JSON.parse(out.messages[2]?.tool_calls?.[0]?.function.arguments ?? "")).toEqual({ ip: "[REDACTED:IP]" });
    expect(Object.keys(out.metadata)).toEqual(["alice@example.com", "flags"]);
    expect(out.metadata.flags).toEqual([true, 1]);
    expect(out.temperature).toBe(0.2);
  });

  // A guard against catastrophic backtracking, not a speed target: a quadratic
  // pattern on 1 MB takes minutes, a linear one milliseconds. The bound is loose
  // so that a busy machine cannot fail it.
  it("processes 1 MB of digits and dots in linear time", () => {
    const r = new Redactor();
    const inputs = ["1234567890.".repeat(100_000), "1.2.3.4.".repeat(131_072), "9".repeat(1 << 20), "1 2-3.4 ".repeat(131_072)];
    for (const input of inputs) {
      const t0 = performance.now();
      r.redactText(input);
      const ms = performance.now() - t0;
      expect(ms, `${input.slice(0, 16)}…`).toBeLessThan(5_000);
    }
  });
});
