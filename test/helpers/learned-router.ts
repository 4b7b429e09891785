/**
 * A learned model for tests through the real server: a router trained on
 * the synthetic rows (as `liaison router train` does) written to a file,
 * and two priced targets on mock providers `cheap` and `dear` — the
 * dearer stands for the router's strong model, the cheaper for its weak one.
 */
import { join } from "node:path";
import { writeRouterFile } from "../../src/router/router-file.js";
import { trainRouter } from "../../src/router/train.js";
import { syntheticRows } from "../router/synthetic.js";

export const LEARNED_TARGETS = [
  { provider: "cheap", model: "gpt-4o-mini", price: { input: 0.15, output: 0.6 } },
  { provider: "dear", model: "gpt-4o", price: { input: 2.5, output: 10 } },
];

/** Trains the router and writes it to DIR/router.json; returns that path. */
export function writeLearnedRouter(dir: string): string {
  const file = join(dir, "router.json");
  writeRouterFile(file, trainRouter(syntheticRows(240), { seed: 3 }));
  return file;
}

/** The two mock providers the targets name, each answering with its own text. */
export function learnedProviders(cheap: string, dear: string): Record<string, { type: "mock"; text: string }> {
  return { cheap: { type: "mock", text: cheap }, dear: { type: "mock", text: dear } };
}
