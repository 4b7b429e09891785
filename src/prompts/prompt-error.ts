/**
 * An invalid prompt: every problem found, each with the path of what is
 * wrong (`messages[1].content`). A 400 on the API (its `param` is the
 * first path); the start-up checks and the CLI print the message.
 */
import { GatewayError } from "../core/errors.js";

export interface PromptProblem {
  /** Where: `messages[1].content`, `params.stream`, `name`. */
  path: string;
  message: string;
}

export class PromptError extends GatewayError {
  readonly problems: PromptProblem[];

  constructor(problems: PromptProblem[], where?: string) {
    super("invalid_request", `Invalid prompt${where ? ` ${where}` : ""}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
      { param: problems[0]?.path ?? null, clientCode: "invalid_prompt" });
    this.problems = problems;
  }

  /** The same problems, said of a file (start-up). */
  in(where: string): PromptError {
    return new PromptError(this.problems, where);
  }
}

/** 404 for a prompt name, version or label that is not in the registry. */
export function promptNotFound(what: string): GatewayError {
  return new GatewayError("invalid_request", `${what} not found.`, { status: 404, type: "not_found_error", clientCode: "prompt_not_found" });
}
