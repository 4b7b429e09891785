/**
 * The dashboard's Routing and Prompts pages in Debian's Chromium against
 * the real CLI gateway: a learned model (a router trained here) and the
 * prompt registry, with traffic and an evaluation made through the API and
 * the CLI. Routing: the share of calls per target, the score histogram
 * drawn, the recent decisions linking to their log rows, the range picker.
 * Prompts: versions and their messages, moving a label, the evaluation's
 * results, trying the prompt, and the log row linking back to the prompt.
 * Who sees what, the empty and error states, and axe-core at 1280 px
 * (light) and 390 px (dark), with screenshots in test/browser/artifacts.
 *
 * One gateway, one browser, one page, in order, as dashboard.test.ts.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import OpenAI from "openai";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { learnedProviders, LEARNED_TARGETS, writeLearnedRouter } from "../helpers/learned-router.js";
import { EASY_PROMPT, HARD_PROMPT } from "../router/synthetic.js";
import { auditPages, CHROMIUM, launch, seriesPixels, until, watchProblems, type Browser } from "./harness.js";

const ADMIN = "gw-admin-routing-prompts";
const BUILT = existsSync(new URL("../../dist/ui/index.html", import.meta.url));
const BIN = new URL("../../bin/liaison.js", import.meta.url).pathname;
const run = existsSync(CHROMIUM) ? describe : describe.skip;
const PROMPT = "support-reply";

let gw: CliServer;
let browser: Browser;
let page: Page;
let problems: string[];
let dir: string;
let rated: string;

async function api<T>(method: string, path: string, body?: unknown, key = ADMIN): Promise<T> {
  const res = await fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

run("the Routing and Prompts pages in Chromium", () => {
  beforeAll(async () => {
    if (!BUILT) throw new Error("dist/ui is missing: run `npm run build` (npm install does it) before the browser tests.");
    dir = mkdtempSync(join(tmpdir(), "liaison-ui-routing-"));
    const routerFile = writeLearnedRouter(dir);
    const targets = LEARNED_TARGETS;
    gw = await startCli({
      admin_key: ADMIN,
      logging: { level: "warn", flush_interval_ms: 20, bodies: true },
      providers: { ...learnedProviders("A quick answer.", "A careful answer."), demo: { type: "mock" } },
      models: { smart: { strategy: "learned", router: { file: routerFile, quality: 0.95 }, targets }, assistant: { targets: [{ provider: "demo", model: "echo" }] } },
      prices: { "cheap/gpt-4o-mini": { input: 0.15, output: 0.6 }, "dear/gpt-4o": { input: 2.5, output: 10 }, "demo/echo": { input: 0.5, output: 1.5 } },
    });
    browser = await launch();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    problems = watchProblems(page);

    // Traffic for Routing: hard prompts go to the strong target, easy ones to the cheap one; one call is rated.
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: ADMIN, maxRetries: 0 });
    const prompts = [HARD_PROMPT, EASY_PROMPT, EASY_PROMPT.replace("Portugal", "Peru"), `${HARD_PROMPT} Explain each step.`, EASY_PROMPT.replace("Portugal", "Kenya")];
    for (const content of prompts) {
      const { response } = await client.chat.completions.create({ model: "smart", messages: [{ role: "user", content }] }).withResponse();
      rated = response.headers.get("x-request-id")!;
    }
    // The log writer flushes off the request path; a loaded machine can take longer than feedback waits.
    await until("the rated call's log row", async () => (await fetch(`${gw.url}/admin/logs/${rated}`, { headers: { authorization: `Bearer ${ADMIN}` } })).ok, 15_000);
    await api("POST", "/v1/feedback", { request_id: rated, score: 0.25 });

    // A prompt with two versions, production on the first, and an evaluation of both by the CLI (stored with the prompt).
    const messages = (user: string) => [{ role: "system", content: "You are a support agent for Acme. Reply briefly." }, { role: "user", content: user }];
    await api("POST", "/v1/prompts", { name: PROMPT, description: "Reply to a customer's message", model: "assistant", params: { temperature: 0.3 }, messages: messages("Customer {{customer}} wrote: {{message}}") });
    await api("POST", "/v1/prompts", { name: PROMPT, description: "Reply to a customer's message", model: "assistant", params: { temperature: 0.3 }, messages: messages("Thank you, {{customer}}, for writing to Acme. The message: {{message}}") });
    await api("PUT", `/v1/prompts/${PROMPT}/labels/production`, { version: 1 });
    const dataset = join(dir, "rows.jsonl");
    writeFileSync(dataset, ["Ann", "Bo", "Chen", "Dee", "Eve", "Fay"].map((c, i) => JSON.stringify({ variables: { customer: c, message: `Question number ${i + 1}.` }, expected: `Thank you, ${c}` })).join("\n"));
    await promisify(execFile)(process.execPath, [BIN, "prompts", "eval", "--config", join(gw.dir, "liaison.yaml"), "--prompt", PROMPT, "--dataset", dataset, "--scorer", "contains", "--json"], { cwd: gw.dir, timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const nav = (name: string) => page.getByRole("navigation").getByRole("link", { name, exact: true });

  const signIn = async (key: string): Promise<void> => {
    if (await page.getByRole("button", { name: "Sign out" }).count()) await page.getByRole("button", { name: "Sign out" }).click();
    else await page.goto(`${gw.url}/ui`);
    await page.getByLabel("API key").fill(key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation").waitFor();
  };

  it("shows each routed model's share of calls per target, its score histogram and its recent decisions", async () => {
    await signIn(ADMIN);
    await nav("Routing").click();
    await page.getByRole("heading", { name: "Routing", exact: true }).waitFor();
    await page.getByRole("heading", { name: /^smart/ }).waitFor();
    const shares = page.getByRole("table", { name: "Calls per target of smart" });
    const dear = await api<{ models: { targets: { target: string; calls: number }[] }[] }>("GET", "/admin/routing?since=24h");
    const strong = dear.models[0]!.targets.find((t) => t.target === "dear/gpt-4o")!.calls;
    expect(strong).toBeGreaterThanOrEqual(1);
    expect(await shares.getByRole("row").filter({ hasText: "dear/gpt-4o" }).innerText()).toContain(`${(strong / 5 * 100).toFixed(1)}%`);
    expect(await shares.getByRole("row").filter({ hasText: "cheap/gpt-4o-mini" }).innerText()).toContain(`${((5 - strong) / 5 * 100).toFixed(1)}%`);

    const chart = page.getByRole("img", { name: /^Route scores of smart over the last 24 hours: 5 scored calls; / });
    await chart.waitFor();
    expect(await until("drawn bars", async () => (await chart.evaluate(seriesPixels)) || undefined)).toBeGreaterThan(20);

    const decisions = page.getByRole("table", { name: "Recent routing decisions of smart" });
    expect(await decisions.getByRole("row").count()).toBe(6); // the header and five calls
    const ratedRow = decisions.getByRole("row").filter({ has: page.locator(`a[title="${rated}"]`) });
    expect(await ratedRow.innerText()).toMatch(/0\.25/);
    await page.getByText("1 rated, mean 0.25").waitFor();

    await page.getByRole("radio", { name: "1 h" }).check();
    await until("the range in the URL", async () => page.url().endsWith("/ui/routing?range=1h"));
    await page.getByRole("img", { name: /over the last hour: 5 scored calls/ }).waitFor();

    await ratedRow.getByRole("link").click();
    await page.getByRole("heading", { name: "Request", exact: true }).waitFor();
    await page.getByText("0.25 (rated with POST /v1/feedback)").waitFor();
  }, 60_000);

  it("shows a prompt's versions with their messages, moves a label, and shows the evaluation", async () => {
    await nav("Prompts").click();
    await page.getByRole("table", { name: "Prompts" }).getByRole("link", { name: PROMPT }).click();
    await page.getByRole("heading", { name: PROMPT, exact: true }).waitFor();
    const messages = page.getByRole("list", { name: "Messages of version 2" });
    expect(await messages.innerText()).toContain("Thank you, {{customer}}, for writing to Acme.");
    await page.getByLabel("Version", { exact: true }).selectOption("1");
    expect(await page.getByRole("list", { name: "Messages of version 1" }).innerText()).toContain("Customer {{customer}} wrote: {{message}}");
    expect(page.url()).toContain(`/ui/prompts?name=${PROMPT}&version=1`);

    const labels = page.getByRole("table", { name: `Labels of ${PROMPT}` });
    expect(await labels.getByRole("row").filter({ hasText: "production" }).innerText()).toContain("version 1");
    await labels.getByLabel("Version for production").selectOption("2");
    await labels.getByRole("button", { name: "Move production" }).click();
    await page.getByRole("status").filter({ hasText: "Label production now points at version 2." }).waitFor();
    expect((await api<{ labels: Record<string, number> }>("GET", `/v1/prompts/${PROMPT}`)).labels).toEqual({ production: 2 });
    await labels.getByRole("row").filter({ hasText: "production" }).filter({ hasText: "version 2" }).waitFor();

    // The CLI's evaluation: version 2 thanks every customer by name, version 1 none.
    const results = page.getByRole("table", { name: new RegExp(`^Evaluation of ${PROMPT}`) });
    expect(await results.getByRole("row").filter({ hasText: /^2/ }).innerText()).toMatch(/winner[\s\S]*6\s+1\.000/);
    expect(await results.getByRole("row").filter({ hasText: /^1/ }).innerText()).toMatch(/6\s+0\.000/);
    await page.getByText("Version 2 wins: better than every other version beyond noise.").waitFor();
  }, 60_000);

  it("tries the prompt with variables, names a missing one, and links its log row back to the prompt", async () => {
    await page.getByLabel("Version or label").selectOption("label:production");
    await page.getByLabel("customer", { exact: true }).fill("Ada");
    await page.getByLabel("message", { exact: true }).fill("Where is my parcel?");
    await page.getByRole("button", { name: "Run prompt" }).click();
    await page.getByRole("status").filter({ hasText: "Answer complete." }).waitFor();
    // The mock echoes the last message: the rendered template of the production version.
    expect(await page.locator(".answer").innerText()).toBe("Thank you, Ada, for writing to Acme. The message: Where is my parcel?");
    const link = page.locator(".answer-box").getByRole("link", { name: /^req_/ });
    const id = await link.innerText();

    await page.getByLabel("message", { exact: true }).fill("");
    await page.getByRole("button", { name: "Run prompt" }).click();
    await page.getByRole("alert").filter({ hasText: "'message'" }).waitFor();
    // That 400 was asked for: it is not a problem of the page.
    problems.splice(0, problems.length, ...problems.filter((p) => !/status of 400/.test(p)));

    await page.goto(`${gw.url}/ui/logs/${encodeURIComponent(id)}`);
    await page.getByRole("heading", { name: "Request", exact: true }).waitFor();
    await page.getByRole("link", { name: `${PROMPT} · version 2` }).click();
    await page.getByRole("heading", { name: "Version 2", exact: false }).waitFor();
    expect(page.url()).toContain(`/ui/prompts?name=${PROMPT}&version=2`);
  }, 60_000);

  it("says what to do when there is nothing to show, or the gateway fails", async () => {
    const routing = (u: URL): boolean => u.pathname === "/admin/routing";
    await page.route(routing, (r) => r.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ since: new Date().toISOString(), until: null, models: [] }) }));
    await page.route((u) => u.pathname === "/v1/prompts", (r) => r.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ object: "list", data: [] }) }));
    try {
      await nav("Routing").click();
      await page.getByText("No model is routed by the learned router or a cascade").waitFor();
      expect(await page.locator(".empty").innerText()).toContain("liaison router train");
      await nav("Prompts").click();
      await page.getByText("No prompts yet").waitFor();
      expect(await page.locator(".empty").innerText()).toContain("POST /v1/prompts");
    } finally {
      await page.unrouteAll();
    }
    await page.route(routing, (r) => r.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: { message: "The store is down.", type: "server_error", code: "internal_error" } }) }));
    try {
      await nav("Routing").click();
      const alert = page.getByRole("alert").filter({ hasText: "The store is down." });
      await alert.waitFor();
      expect(await alert.innerText()).toMatch(/try again/i);
      await page.unrouteAll();
      await alert.getByRole("button", { name: "Try again" }).click();
      await page.getByRole("heading", { name: /^smart/ }).waitFor();
    } finally {
      await page.unrouteAll();
    }
    // The 500 above was asked for: it is not a problem of the page.
    problems.splice(0, problems.length, ...problems.filter((p) => !/status of 500/.test(p)));
  }, 60_000);

  const PAGES: [string, string][] = [["routing", "/routing?range=24h"], ["prompts", `/prompts?name=${PROMPT}`]];


  for (const [width, scheme] of [[1280, "light"], [390, "dark"]] as const) {
    it(`passes axe-core on Routing and Prompts at ${width} px in ${scheme} mode, without overflowing`, async () => {
      expect(await auditPages(page, PAGES, width, scheme)).toBe("");
    }, 60_000);
  }

  it("shows Prompts without label controls to a member, and Routing but not Prompts to a viewer", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: "light" });
    const member = await api<{ key: string }>("POST", "/admin/keys", { name: "prompt-user", role: "member" });
    await signIn(member.key);
    expect(await page.getByRole("navigation").getByRole("link").allInnerTexts()).toEqual(["Playground", "Workflows", "Prompts"]);
    await nav("Prompts").click();
    await page.getByRole("table", { name: "Prompts" }).getByRole("link", { name: PROMPT }).click();
    await page.getByRole("table", { name: `Labels of ${PROMPT}` }).waitFor();
    await page.getByText("Moving labels needs an admin or manager key.").waitFor();
    expect(await page.getByRole("button", { name: /^Move / }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Set label" }).count()).toBe(0);
    await page.getByRole("button", { name: "Run prompt" }).waitFor();

    const viewer = await api<{ key: string }>("POST", "/admin/keys", { name: "routing-reader", role: "viewer" });
    await signIn(viewer.key);
    expect(await page.getByRole("navigation").getByRole("link").allInnerTexts()).toEqual(["Overview", "Logs", "Providers", "Usage", "Routing"]);
    await nav("Routing").click();
    await page.getByRole("table", { name: "Calls per target of smart" }).waitFor();
    expect(problems).toEqual([]);
  }, 60_000);
});
