/**
 * An invalid workflow: every problem found, each with the path of what is
 * wrong (`steps[1].model`). A 400 on the API (its `param` is the first
 * path); the CLI and the start-up checks print the message.
 */
import { GatewayError } from "../core/errors.js";

export interface Problem {
  /** Where: `steps[1].model`, `inputs.n.default`, `outputs.summary`. */
  path: string;
  message: string;
}

export class WorkflowError extends GatewayError {
  readonly problems: Problem[];

  constructor(problems: Problem[], where?: string) {
    const list = problems.map((p) => `${p.path}: ${p.message}`).join("; ");
    super("invalid_request", `Invalid workflow${where ? ` ${where}` : ""}: ${list}`, { param: problems[0]?.path ?? null, clientCode: "invalid_workflow" });
    this.problems = problems;
  }

  /** The same problems, said of a file (start-up, `liaison workflows validate`). */
  in(where: string): WorkflowError {
    return new WorkflowError(this.problems, where);
  }
}
