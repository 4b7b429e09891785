/**
 * Training end to end on a data set with a known answer: hard prompts score
 * high, easy ones low; the file round-trips (train → save → load gives
 * identical scores); training is deterministic given its seed; a bad file
 * is refused with the reason.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readRouterFile, serialiseRouterFile, writeRouterFile } from "../../src/router/router-file.js";
import { RouterModel } from "../../src/router/router-model.js";
import { chooseModels, trainRouter } from "../../src/router/train.js";
import { EASY_PROMPT, HARD_PROMPT, STRONG, syntheticRows, WEAK } from "./synthetic.js";

const dir = mkdtempSync(join(tmpdir(), "liaison-router-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = syntheticRows(240);
const progress: string[] = [];
const file = trainRouter(rows, { seed: 3, onProgress: (p) => progress.push(p.phase) });

describe("a trained router", () => {
  it("orders the models weakest first and reports training progress to the end", () => {
    expect(file.models.map((m) => m.name)).toEqual([WEAK, STRONG]);
    expect(file.models[1]!.accuracy).toBe(1);
    expect(progress[0]).toBe("features");
    expect(progress).toContain("logistic");
    expect(progress.at(-1)).toBe("done");
    expect(file.judge?.model).toBe(WEAK);
  });

  it("scores a hard prompt above the 95 % threshold and an easy one below it", () => {
    const model = new RouterModel(file);
    const [threshold] = model.thresholds(0.95);
    const hard = model.score(HARD_PROMPT).scores[0]!;
    const easy = model.score(EASY_PROMPT).scores[0]!;
    expect(hard).toBeGreaterThan(threshold!);
    expect(easy).toBeLessThan(threshold!);
    expect(hard).toBeLessThanOrEqual(1);
    expect(easy).toBeGreaterThanOrEqual(0);
  });

  it("gives identical scores after train → save → load", () => {
    const path = join(dir, "router.json");
    writeRouterFile(path, file);
    const loaded = new RouterModel(readRouterFile(path));
    const original = new RouterModel(file);
    for (const r of [...rows.slice(0, 30), { prompt: HARD_PROMPT }, { prompt: EASY_PROMPT }, { prompt: "" }]) {
      expect(loaded.score(r.prompt).scores).toEqual(original.score(r.prompt).scores);
    }
    expect(loaded.thresholds(0.95)).toEqual(original.thresholds(0.95));
    expect(loaded.judge(HARD_PROMPT, "#### 6", "stop", 0.7)).toBe(original.judge(HARD_PROMPT, "#### 6", "stop", 0.7));
  });

  it("is deterministic given its seed", () => {
    const again = trainRouter(rows, { seed: 3 });
    const strip = (f: typeof file) => serialiseRouterFile({ ...f, created_at: "" });
    expect(strip(again)).toBe(strip(file));
  });

  it("keeps what it learnt online when written back", () => {
    const model = new RouterModel(file);
    const before = model.memory;
    const { query } = model.score(EASY_PROMPT);
    model.learn(query, model.labelsFor(0, 0));
    expect(model.memory).toBe(before + 1);
    expect(new RouterModel(model.toFile()).memory).toBe(before + 1);
  });
});

describe("choosing the models", () => {
  it("takes the highest and lowest mean, or the ones named", () => {
    const three = rows.map((r) => ({ ...r, outcomes: { ...r.outcomes, middle: 0.6 } }));
    expect(chooseModels(three, {})).toEqual([WEAK, STRONG]);
    expect(chooseModels(three, { weak: "middle" })).toEqual(["middle", STRONG]);
    expect(chooseModels(three, { ladder: true })).toEqual([WEAK, "middle", STRONG]);
    expect(() => chooseModels(three, { strong: "nope" })).toThrow(/nope/);
  });

  it("trains a ladder over three models, one rung per weaker model", () => {
    const three = rows.map((r) => ({ ...r, outcomes: { ...r.outcomes, middle: r.id?.startsWith("mid") ? 1 : r.outcomes[WEAK]! } }));
    const ladder = trainRouter(three, { ladder: true, judge: false });
    expect(ladder.models.map((m) => m.name)).toEqual([WEAK, "middle", STRONG]);
    expect(ladder.rungs).toHaveLength(2);
    expect(ladder.calibration.ladder?.thresholds[0]).toHaveLength(2);
    const model = new RouterModel(ladder);
    expect(model.score(HARD_PROMPT).scores).toHaveLength(2);
  });
});

describe("the file format", () => {
  it("refuses another version, another format, and a broken file, naming why", () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, JSON.stringify({ ...JSON.parse(serialiseRouterFile(file)), version: 99 }));
    expect(() => readRouterFile(path)).toThrow(/version 99 is not supported/);
    writeFileSync(path, JSON.stringify({ format: "other" }));
    expect(() => readRouterFile(path)).toThrow(/not a Liaison router file/);
    const doc = JSON.parse(serialiseRouterFile(file)) as { rungs: unknown[] };
    doc.rungs = [];
    writeFileSync(path, JSON.stringify(doc));
    expect(() => readRouterFile(path)).toThrow(/rungs/);
    writeFileSync(path, "{");
    expect(() => readRouterFile(path)).toThrow(/not JSON/);
    expect(readFileSync(join(dir, "router.json"), "utf8").length).toBeGreaterThan(100);
  });
});
