/**
 * `workflows.dir` (DESIGN.md §7): the `*.yaml` / `*.yml` / `*.json` files of
 * one folder (not its subfolders), each one workflow. A file without `name:`
 * is named after the file. Read at start; an unreadable or invalid file
 * stops the start with the file's name and the problem's path.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import type { Config } from "../config/schema.js";
import { parseWorkflowText } from "./definition.js";
import { WorkflowError } from "./workflow-error.js";

export const DEFAULT_WORKFLOWS_DIR = "./workflows";
const EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** The folder to read: `workflows.dir`, else ./workflows when it exists, else none. */
export function workflowsDir(config: Config): string | undefined {
  const dir = config.workflows.dir;
  if (dir !== undefined) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new WorkflowError([{ path: "workflows.dir", message: `'${dir}' is not a directory` }], "configuration");
    }
    return dir;
  }
  return existsSync(DEFAULT_WORKFLOWS_DIR) && statSync(DEFAULT_WORKFLOWS_DIR).isDirectory() ? DEFAULT_WORKFLOWS_DIR : undefined;
}

export interface WorkflowFile {
  file: string;
  value: unknown;
}

/** One file's workflow object (unchecked), named after the file when it has no name. */
export function readWorkflowFile(file: string): WorkflowFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new WorkflowError([{ path: "(file)", message: `cannot read it: ${(err as Error).message}` }], `in ${file}`);
  }
  let value: unknown;
  try {
    value = parseWorkflowText(text);
  } catch (err) {
    throw err instanceof WorkflowError ? err.in(`in ${file}`) : err;
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value) && !Object.hasOwn(value, "name")) {
    value = { name: basename(file, extname(file)), ...value };
  }
  return { file, value };
}

export function readWorkflowDir(dir: string): WorkflowFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => e.name)
    .sort()
    .map((name) => readWorkflowFile(join(dir, name)));
}
