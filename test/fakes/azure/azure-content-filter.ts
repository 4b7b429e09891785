/**
 * Azure OpenAI runs every prompt and completion through its content filter
 * and reports the verdicts inside OpenAI-shaped bodies: `prompt_filter_results`
 * on the response, `content_filter_results` on each choice, and, when
 * streaming, a first event with empty `choices` (and empty id/model) that
 * carries only the prompt verdicts. A gateway must tolerate all three.
 */
import type { ContentFilterResults, PromptFilterResult } from "../openai/openai-wire-types.js";
import type { WireAnnotations } from "../_shared/wire-dialect.js";

const SAFE: ContentFilterResults = {
  hate: { filtered: false, severity: "safe" },
  self_harm: { filtered: false, severity: "safe" },
  sexual: { filtered: false, severity: "safe" },
  violence: { filtered: false, severity: "safe" },
};

function promptFilterResults(): PromptFilterResult[] {
  return [{ prompt_index: 0, content_filter_results: { ...SAFE, jailbreak: { filtered: false, detected: false } } }];
}

export const azureContentFilter: WireAnnotations = {
  completion(body) {
    body.prompt_filter_results = promptFilterResults();
    for (const choice of body.choices) choice.content_filter_results = { ...SAFE };
  },
  chatStreamPrelude() {
    return [{ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: promptFilterResults() }];
  },
  chatChunk(chunk) {
    for (const choice of chunk.choices) {
      // Only events that carry text are filtered; the others get an empty verdict.
      const hasText = typeof choice.delta.content === "string" && choice.delta.content !== "";
      choice.content_filter_results = hasText ? { ...SAFE } : {};
    }
  },
};
