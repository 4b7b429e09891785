#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=30
// The flags bound V8's memory under load, for no measurable throughput cost
// (measured: docs/benchmarks.md): --max-semi-space-size caps the young
// generation (default 16 MB per semi-space on 64-bit machines, ~80 MB of RSS
// holding short-lived garbage); --heap-growing-percent lets the old
// generation grow to 1.3x what survived the last full GC instead of up to 4x
// (the live heap is ~30 MB; without it the heap idles at 70-100 MB after load).
// The published entry point runs the compiled CLI; `npm install` builds it (the prepare script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write("liaison: the compiled code is missing; run `npm run build` (npm install does it for you).\n");
  process.exit(1);
}
await import(main.href);
