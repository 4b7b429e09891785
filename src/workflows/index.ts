export { Workflows, notFound, type PreparedRun, type RunStart, type WorkflowSummary } from "./workflows.js";
export { compileWorkflow, type CompiledWorkflow, type CompiledStep } from "./compile.js";
export { parseWorkflowText, WORKFLOW_NAME } from "./definition.js";
export { checkInputs, inputsFromPairs } from "./inputs.js";
export { WorkflowError, type Problem } from "./workflow-error.js";
export type { RunEvent, RunRecord, StepRecord, RunError } from "./run-record.js";
export type { RunScope } from "./run-pages.js";
export type { StoredRun, StoredWorkflow, WorkflowStore } from "../store/workflows/types.js";
