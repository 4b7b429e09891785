/**
 * Every TypeScript snippet in docs/clients.md runs, as written, against the
 * gateway: each in its own `tsx` process, with the docs' address
 * (127.0.0.1:4000) replaced by the test gateway's and LIAISON_KEY set to its
 * key. `mock/echo` is the built-in mock; `smart` and `text-embedding-3-small`
 * reach the OpenAI fake.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY, startClientGateway, type ClientGateway } from "./client-gateway.js";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;
const DOC = join(ROOT, "docs/clients.md");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const SNIPPETS = [...readFileSync(DOC, "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map((m, i) => ({ n: i + 1, code: m[1]! }));

let g: ClientGateway;
/** Inside node_modules so the snippets' imports resolve, and outside what tsc and eslint read. */
let dir: string;

beforeAll(async () => {
  g = await startClientGateway();
  const cache = join(ROOT, "node_modules/.cache");
  mkdirSync(cache, { recursive: true });
  dir = mkdtempSync(join(cache, "liaison-doc-snippets-"));
});
afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await g?.close();
});

describe("docs/clients.md", () => {
  it("has snippets", () => {
    expect(SNIPPETS.length).toBeGreaterThanOrEqual(5);
  });

  it.each(SNIPPETS)("snippet $n runs", async ({ n, code }) => {
    const file = join(dir, `snippet-${n}.mts`);
    writeFileSync(file, code.replaceAll("http://127.0.0.1:4000", g.url));
    const { stdout } = await run(TSX, [file], { cwd: ROOT, env: { ...process.env, LIAISON_KEY: KEY }, timeout: 30_000 });
    expect(stdout.trim()).not.toBe("");
  });
});
