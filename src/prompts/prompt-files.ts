/**
 * Prompts as code (DESIGN.md §7): the `prompts/<name>.yaml` files (also
 * `.yml`, `.json`) of the working directory, each one prompt with the POST
 * body's fields. The name is the file's; a `name:` in it must agree. Read
 * at start; an unreadable or invalid file stops the start with the file's
 * name and the problem's path.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { parsePromptInput, parsePromptText, type PromptInput } from "./definition.js";
import { PromptError } from "./prompt-error.js";

export const DEFAULT_PROMPTS_DIR = "./prompts";
const EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** ./prompts when it is a directory, else none. */
export function promptsDir(): string | undefined {
  return existsSync(DEFAULT_PROMPTS_DIR) && statSync(DEFAULT_PROMPTS_DIR).isDirectory() ? DEFAULT_PROMPTS_DIR : undefined;
}

export interface PromptFile {
  file: string;
  input: PromptInput;
}

/** One file's prompt, checked; a PromptError saying which file. */
export function readPromptFile(file: string): PromptFile {
  const where = `in ${file}`;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new PromptError([{ path: "(file)", message: `cannot read it: ${(err as Error).message}` }], where);
  }
  const name = basename(file, extname(file));
  try {
    const value = parsePromptText(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new PromptError([{ path: "(prompt)", message: "the file must hold a mapping with messages (and optionally model, params, description)" }]);
    }
    const named = value as Record<string, unknown>;
    if (Object.hasOwn(named, "name") && named.name !== name) {
      throw new PromptError([{ path: "name", message: `'${String(named.name)}' differs from the file's name '${name}' (prompts/<name>.yaml names the prompt)` }]);
    }
    return { file, input: parsePromptInput({ ...named, name }) };
  } catch (err) {
    throw err instanceof PromptError ? err.in(where) : err;
  }
}

export function readPromptDir(dir: string): PromptFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => e.name)
    .sort()
    .map((name) => readPromptFile(join(dir, name)));
}
