/**
 * A small labelled data set with a known answer: maths proofs that only the
 * strong model gets right, capitals both get right, and summaries the weak
 * model gets right half the time — with the weak model's answers, so a
 * judge can be trained too.
 */
import type { LabelledPrompt } from "../../src/router/data.js";
import { seeded } from "../../src/router/random.js";

export const STRONG = "big-model";
export const WEAK = "small-model";

const COUNTRIES = ["France", "Spain", "Italy", "Peru", "Chile", "Japan", "Kenya", "Egypt", "Norway", "Canada", "Brazil", "India"];
const FUNCTIONS = ["x^2 sin(x)", "e^(-x) log(x)", "1/(1+x^4)", "sqrt(x) cos(x)", "x^3 e^(-x^2)", "arctan(x)/x"];
const BOOKS = ["Moby Dick", "Emma", "Ulysses", "Dracula", "Beloved", "Rebecca", "Middlemarch", "Persuasion"];

export const EASY_PROMPT = "What is the capital of Portugal? Answer with one word.";
export const HARD_PROMPT = "Prove that the integral of x^5 e^(-x) log(x) from 0 to infinity converges, then compute its exact value step by step.";

export function syntheticRows(n: number, seed = 7): LabelledPrompt[] {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const rows: LabelledPrompt[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 3;
    if (kind === 0) {
      const c = pick(COUNTRIES);
      rows.push({ id: `easy-${i}`, prompt: `What is the capital of ${c}? Answer with one word.`, outcomes: { [STRONG]: 1, [WEAK]: 1 }, responses: { [WEAK]: `The capital of ${c} is its largest city.` } });
    } else if (kind === 1) {
      const weakRight = random() < 0.1;
      rows.push({
        id: `hard-${i}`,
        prompt: `Prove that the integral of ${pick(FUNCTIONS)} from ${Math.floor(random() * 3)} to infinity converges, then compute its exact value step by step.`,
        outcomes: { [STRONG]: 1, [WEAK]: weakRight ? 1 : 0 },
        responses: { [WEAK]: weakRight ? "Integrating by parts, 2 * 3 = 6, so the value is 6.\n#### 6" : "However, assuming the integral converges, 2 * 3 = 7 and it might be approximately" },
      });
    } else {
      const weakRight = random() < 0.5;
      rows.push({ id: `mid-${i}`, prompt: `Summarise the plot of ${pick(BOOKS)} in one sentence.`, outcomes: { [STRONG]: 1, [WEAK]: weakRight ? 1 : 0 }, responses: { [WEAK]: "A story about people." } });
    }
  }
  return rows;
}
