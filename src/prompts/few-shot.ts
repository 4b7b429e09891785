/**
 * Few-shot variants for the optimizer (the DSPy bootstrap idea): worked
 * examples taken from the training split — the parent template's own
 * answers on rows it got right (bootstrapped demonstrations), else the
 * rows' expected answers — put in as user/assistant turns before the
 * template's last user message. Demonstrations come only from the training
 * split, so the held-out rows stay unseen.
 */
import { shuffleInPlace, type Random } from "../router/random.js";
import type { PromptMessage } from "./definition.js";

export interface Demo {
  user: string;
  assistant: string;
}

/** The parent's messages with `demos` inserted before its last user message (unchanged when it has none). */
export function withDemos(messages: readonly PromptMessage[], demos: readonly Demo[]): PromptMessage[] {
  let last = -1;
  messages.forEach((m, i) => {
    if (m.role === "user") last = i;
  });
  if (last === -1 || demos.length === 0) return [...messages];
  const turns = demos.flatMap((d): PromptMessage[] => [{ role: "user", content: d.user }, { role: "assistant", content: d.assistant }]);
  return [...messages.slice(0, last), ...turns, ...messages.slice(last)];
}

/**
 * Up to `shots` demos, chosen at random (seeded) among `pool`. A text
 * holding `{{` is left out: in a template it would read as a placeholder.
 */
export function pickDemos(pool: readonly Demo[], shots: number, random: Random): Demo[] {
  const usable = pool.filter((d) => d.user.trim() && d.assistant.trim() && !d.user.includes("{{") && !d.assistant.includes("{{"));
  return shuffleInPlace([...usable], random).slice(0, shots);
}
