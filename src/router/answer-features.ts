/**
 * Features of a model's answer, for the cascade's judge: is it cut off,
 * empty, a refusal, hedged; does its arithmetic check out (calculator
 * annotations `<<2*3=6>>` and plain `a × b = c` steps are recomputed);
 * does it end on a clear final answer, and what kind of number is it.
 * Together with the prompt's own features they feed a logistic model of
 * "this answer is right".
 */
export const ANSWER_FEATURES = [
  "empty", "cut_off", "refusal", "chars", "lines", "numbers", "equations", "arithmetic_errors", "error_share",
  "final_marker", "final_clean", "final_with_text", "final_matches_last_step", "final_number", "final_fraction",
  "final_negative", "final_in_prompt", "prompt_numbers_used", "hedges", "repeated_lines", "answer_to_prompt",
] as const;

const REFUSAL = /\b(?:i(?:'m| am) sorry|i cannot|i can't|i am unable|i'm unable|as an ai|cannot (?:help|assist|provide))\b/i;
const HEDGE = /\b(?:however|assum(?:e|ing)|approximately|not possible|doesn't make sense|does not make sense|unclear|it seems|likely|might|round(?:ed)? (?:up|down)|can't have)\b/gi;
const FINAL_MARKER = /####|\\boxed|the (?:final )?answer is|answer:\s/i;
const NUMBER = /-?\d[\d,]*(?:\.\d+)?/g;

/**
 * Arithmetic steps whose result is wrong: calculator annotations
 * (`<<48/2=24>>`) and plain chains (`180 + 15 + 120 = 315`), recomputed.
 */
function arithmetic(text: string): { checked: number; wrong: number } {
  let checked = 0;
  let wrong = 0;
  const check = (expr: string, result: string) => {
    const v = evaluate(expr);
    const c = num(result);
    if (v === undefined || !Number.isFinite(c)) return;
    checked++;
    // Rounded results (to 2 decimals, or to a whole number) count as right.
    if (Math.abs(v - c) > Math.max(0.01, Math.abs(v) * 1e-3) && Math.round(v) !== c) wrong++;
  };
  for (const m of text.matchAll(/<<([^=<>]+)=([^<>]+)>>/g)) check(m[1]!, m[2]!);
  const plain = text.replace(/<<[^<>]*>>/g, " ").replace(/\\?\*/g, "*").replace(/\$/g, "");
  for (const m of plain.matchAll(/((?:\(?\s*-?\d[\d,]*(?:\.\d+)?\s*\)?\s*[-+*/×÷x]\s*)+\(?\s*-?\d[\d,]*(?:\.\d+)?\s*\)?)\s*=\s*(-?\d[\d,]*(?:\.\d+)?)/g)) check(m[1]!, m[2]!);
  return { checked, wrong };
}

/** The value of an expression of numbers, + − × ÷ and parentheses; undefined for anything else. */
export function evaluate(expr: string): number | undefined {
  const tokens = expr.replace(/,/g, "").replace(/[×x]/g, "*").replace(/÷/g, "/").match(/\d+(?:\.\d+)?|[-+*/()]|\S/g);
  if (!tokens) return undefined;
  let i = 0;
  const peek = () => tokens[i];
  const primary = (): number => {
    const t = tokens[i++];
    if (t === "(") {
      const v = sum();
      if (tokens[i++] !== ")") throw new Error("unbalanced");
      return v;
    }
    if (t === "-") return -primary();
    if (t !== undefined && /^\d/.test(t)) return Number(t);
    throw new Error("not arithmetic");
  };
  const product = (): number => {
    let v = primary();
    while (peek() === "*" || peek() === "/") v = tokens[i++] === "*" ? v * primary() : v / primary();
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (peek() === "+" || peek() === "-") v = tokens[i++] === "+" ? v + product() : v - product();
    return v;
  };
  try {
    const v = sum();
    return i === tokens.length && Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function num(s: string): number {
  return Number(s.replace(/,/g, ""));
}

/** The raw values, in ANSWER_FEATURES order. `finishReason` "length" marks a cut-off answer. */
export function answerFeatures(prompt: string, answer: string, finishReason?: string | null): number[] {
  const text = answer.trim();
  const numbers = text.match(NUMBER) ?? [];
  const promptNumbers = new Set((prompt.match(NUMBER) ?? []).map((n) => num(n)));
  // The final answer: after a marker (#### 42, "the answer is 42") when there is one, else the last number.
  const marked = /(?:####|\\boxed\{|answer is:?)\s*\$?(-?\d[\d,]*(?:\.\d+)?)/i.exec(text);
  const last = marked ? num(marked[1]!) : numbers.length ? num(numbers[numbers.length - 1]!) : Number.NaN;
  const tail = /####(.*)$/s.exec(text)?.[1]?.trim() ?? "";
  const steps = [...text.matchAll(/=\s*\$?(-?\d[\d,]*(?:\.\d+)?)/g)];
  const lastStep = steps.length ? num(steps[steps.length - 1]![1]!) : Number.NaN;
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const { checked, wrong } = arithmetic(text);
  const used = [...promptNumbers].filter((p) => numbers.some((n) => num(n) === p)).length;
  // An answer that stops mid-number or mid-word, with no closing punctuation, was likely cut off.
  const cut = finishReason === "length" || (text.length > 0 && !/[.!?)\]}*`"'$\d%]\s*$/.test(text)) || /\d,\d{0,2}$/.test(text);
  const lw = Math.log1p;
  return [
    text.length === 0 ? 1 : 0,
    cut ? 1 : 0,
    REFUSAL.test(text.slice(0, 400)) ? 1 : 0,
    lw(text.length),
    lw(lines.length),
    lw(numbers.length),
    lw(checked),
    lw(wrong),
    checked ? wrong / checked : 0,
    FINAL_MARKER.test(text) ? 1 : 0,
    /^\$?-?[\d,]+(?:\.\d+)?$/.test(tail) ? 1 : 0,
    /[a-z]/i.test(tail) ? 1 : 0,
    Number.isFinite(last) && last === lastStep ? 1 : 0,
    Number.isFinite(last) ? 1 : 0,
    Number.isFinite(last) && !Number.isInteger(last) ? 1 : 0,
    last < 0 ? 1 : 0,
    Number.isFinite(last) && promptNumbers.has(last) ? 1 : 0,
    promptNumbers.size ? used / promptNumbers.size : 0,
    lw((text.match(HEDGE) ?? []).length),
    lines.length ? 1 - new Set(lines).size / lines.length : 0,
    lw(text.length / Math.max(1, prompt.length)),
  ];
}
