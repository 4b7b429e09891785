/**
 * The dashboard (/ui) in Debian's Chromium against the real CLI gateway:
 * sign in; a request made with the openai client shows in Logs and opens;
 * a key created in the UI works from the openai client until it is revoked
 * in the UI; the Overview draws its charts; the Playground streams; every
 * page passes axe-core at 1280 px (light) and 390 px (dark), with a
 * screenshot of each in test/browser/artifacts.
 *
 * One gateway, one browser, one page, in order: each step builds on the
 * traffic of the ones before.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI, { AuthenticationError } from "openai";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { auditPages, axe, CHROMIUM, describeViolations, launch, screenshot, seriesPixels, until, watchProblems, type Browser } from "./harness.js";

const ADMIN = "gw-admin-dashboard";
const BUILT = existsSync(new URL("../../dist/ui/index.html", import.meta.url));
const run = existsSync(CHROMIUM) ? describe : describe.skip;

const WORKFLOW = `name: greet
description: Says hello twice, through the mock model.
inputs:
  who: { type: string, required: true }
steps:
  - id: hello
    model: chat
    prompt: "Hello, {{ inputs.who }}!"
  - id: again
    model: chat
    prompt: "Again: {{ steps.hello.output }}"
outputs:
  greeting: "{{ steps.again.output }}"
`;

let gw: CliServer;

/** The admin API with the admin key. */
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
let browser: Browser;
let page: Page;
let problems: string[];
let workflowDir: string;
let client: OpenAI;
let apiRequestId: string;

run("the dashboard in Chromium", () => {
  beforeAll(async () => {
    if (!BUILT) throw new Error("dist/ui is missing: run `npm run build` (npm install does it) before the browser tests.");
    workflowDir = mkdtempSync(join(tmpdir(), "liaison-ui-workflows-"));
    writeFileSync(join(workflowDir, "greet.yaml"), WORKFLOW);
    gw = await startCli({
      admin_key: ADMIN,
      logging: { level: "warn", flush_interval_ms: 20, bodies: true },
      cache: { enabled: true },
      providers: { mock: { type: "mock", chunk_size: 3, chunk_delay_ms: 30 } },
      models: { chat: { targets: [{ provider: "mock", model: "echo" }] } },
      prices: { "mock/echo": { input: 2.5, output: 10 } },
      workflows: { dir: workflowDir },
    });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: ADMIN, maxRetries: 0 });
    browser = await launch();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    problems = watchProblems(page);
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
    rmSync(workflowDir, { recursive: true, force: true });
  });

  const nav = (name: string) => page.getByRole("navigation").getByRole("link", { name, exact: true });

  it("serves the build with long-lived caching for hashed assets, and every /ui path as the page", async () => {
    const index = await fetch(`${gw.url}/ui`);
    expect(index.status).toBe(200);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    const asset = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${gw.url}${asset}`);
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(js.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await (await fetch(`${gw.url}/ui/logs/req_anything`)).text()).toBe(html);
    expect((await fetch(`${gw.url}/ui/assets/missing-123.js`)).status).toBe(404);
    expect((await fetch(`${gw.url}/ui/../package.json`)).status).not.toBe(200);
  });

  it("tells the page who the key is and what the gateway serves (GET /admin/me)", async () => {
    const me = async (key?: string) => {
      const res = await fetch(`${gw.url}/admin/me`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const admin = await me(ADMIN);
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ key_id: null, name: "admin", role: "admin", team_id: null, open: false });
    expect(admin.body.features).toEqual(expect.arrayContaining(["keys", "workflows", "prompts"]));
    expect(admin.body.features).not.toContain("routing");
    const viewer = await api<{ id: string; key: string }>("POST", "/admin/keys", { name: "a-viewer", role: "viewer" });
    expect((await me(viewer.key)).body).toMatchObject({ key_id: viewer.id, name: "a-viewer", role: "viewer", team_id: null });
    expect((await me()).status).toBe(401);
    expect((await me("lsk_nope_nope")).status).toBe(401);
  });

  it("refuses a wrong key, then signs in with the admin key", async () => {
    await page.goto(`${gw.url}/ui`);
    await page.getByLabel("API key").fill("lsk_wrong_key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: /invalid|key/i }).waitFor();
    await page.getByLabel("API key").fill(ADMIN);
    await page.getByRole("button", { name: "Sign in" }).click();
    for (const name of ["Overview", "Logs", "Keys", "Teams", "Providers", "Usage", "Playground", "Workflows"]) await nav(name).waitFor();
    await nav("Prompts").waitFor(); // the prompt registry is always served
    expect(await nav("Routing").count()).toBe(0); // no model here is routed by the learned router or a cascade
    // The key is in session storage, not a cookie.
    expect(await browser.context.cookies()).toEqual([]);
    expect(await page.evaluate("sessionStorage.getItem('liaison.apiKey')")).toBe(ADMIN);
  });

  it("shows a request made through the API in Logs as it happens (live tail), and opens it", async () => {
    await nav("Logs").click();
    await page.getByRole("heading", { name: "Logs" }).waitFor();
    await page.getByLabel("Live tail").check();
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    const { response } = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hello from the api" }] }).withResponse();
    apiRequestId = response.headers.get("x-request-id")!;
    // The same again: a cache hit, for the Overview's cache numbers.
    await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hello from the api" }] });
    const table = page.getByRole("table");
    // The id is shortened in the cell; the full id is the link's title.
    const byTitle = page.locator(`a[title="${apiRequestId}"]`);
    const link = table.getByRole("link").and(byTitle);
    await link.waitFor(); // no reload: the tail brings it
    await page.getByLabel("Live tail").uncheck();
    const row = table.getByRole("row").filter({ has: byTitle });
    expect(await row.innerText()).toContain("chat");
    await link.click();
    await page.getByRole("heading", { name: "Request", exact: true }).waitFor();
    await page.getByText(apiRequestId).first().waitFor();
    const body = await page.locator("pre").filter({ hasText: "choices" }).innerText();
    expect(body).toContain("hello from the api");
    expect(await page.getByRole("table", { name: /attempts/i }).innerText()).toContain("mock");
  });

  it("creates a key in the UI that the openai client can use, and revokes it so the next call is refused", async () => {
    await nav("Keys").click();
    await page.getByLabel("Name", { exact: true }).fill("browser-key");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = await until("the new key's secret", async () => {
      const box = page.getByLabel("New key secret");
      return (await box.count()) === 1 ? await box.inputValue() : undefined;
    });
    expect(secret).toMatch(/^lsk_/);
    const keyClient = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: secret, maxRetries: 0 });
    const answer = await keyClient.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "from a new key" }] });
    expect(answer.choices[0]!.message.content).toBe("from a new key");

    await page.getByRole("button", { name: "Done" }).click();
    expect(await page.getByLabel("New key secret").count()).toBe(0); // shown once
    const row = page.getByRole("row").filter({ hasText: "browser-key" });
    await row.getByRole("button", { name: "Revoke", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await page.getByRole("status").filter({ hasText: "revoked" }).waitFor();
    await expect(keyClient.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "after revoke" }] })).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("draws the Overview's charts with the traffic", async () => {
    await nav("Overview").click();
    await page.getByRole("radio", { name: "1 h" }).check();
    const chart = page.getByRole("img", { name: /Requests per minute over the last hour: [1-9]/ });
    await chart.waitFor();
    // The line is drawn: the canvas holds pixels of the series colour.
    const drawn = await until("a drawn line", async () => (await chart.evaluate(seriesPixels)) || undefined);
    expect(drawn).toBeGreaterThan(20);
    const tiles = await page.getByRole("list", { name: "Totals" }).innerText();
    expect(tiles).toMatch(/Cache hit rate\s+[1-9]/);
  });

  it("streams an answer in the Playground, with the gateway's headers", async () => {
    await nav("Playground").click();
    await page.getByLabel("Model").selectOption("chat");
    const text = "streamed through the gateway piece by piece";
    await page.getByLabel("Message").fill(text);
    await page.getByRole("button", { name: "Send" }).click();
    const answer = page.locator(".answer");
    // Part of the answer is shown before the rest has arrived.
    const partial = await until("a partial answer", async () => {
      const now = await answer.innerText();
      return now.length > 0 && now.length < text.length ? now : undefined;
    });
    expect(text.startsWith(partial)).toBe(true);
    await page.getByRole("status").filter({ hasText: "Answer complete." }).waitFor();
    expect(await answer.innerText()).toBe(text);
    const facts = page.locator(".answer-box dl");
    await until("the cost from the log", async () => /Cost\s*\$/.test(await facts.innerText()));
    expect(await facts.innerText()).toMatch(/Provider\s*mock[\s\S]*Attempts\s*1[\s\S]*Cache\s*miss/);
    await screenshot(page, "playground-answer-1280-light");
  });

  it("runs a workflow with live step progress", async () => {
    await nav("Workflows").click();
    await page.getByRole("link", { name: "greet" }).click();
    await page.getByLabel("who (required)").fill("Ada");
    await page.getByRole("button", { name: "Run workflow" }).click();
    await page.getByRole("status").filter({ hasText: "succeeded" }).waitFor();
    expect(await page.locator(".steps").innerText()).toMatch(/succeeded\s*hello[\s\S]*succeeded\s*again/);
  });

  it("shows spend against budget for keys and teams, and exports usage as CSV", async () => {
    // A team and a key with budgets, and some spend on them: what the screenshots show.
    const team = await api<{ id: string }>("POST", "/admin/teams", { name: "search", budget_usd: 0.002, budget_period: "monthly", rpm: 600 });
    const bot = await api<{ key: string }>("POST", "/admin/keys", { name: "search-bot", team_id: team.id, budget_usd: 0.001, budget_period: "daily", models: ["chat"], tpm: 100000 });
    await api("POST", "/admin/keys", { name: "reporting", role: "viewer" });
    const botClient = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: bot.key, maxRetries: 0 });
    for (const words of ["find the quarterly report", "summarise the meeting notes please", "what changed in the pricing page"]) {
      await botClient.chat.completions.create({ model: "chat", messages: [{ role: "user", content: words }] });
    }
    await nav("Keys").click();
    const row = page.getByRole("row").filter({ hasText: "search-bot" });
    await until("the key's spend", async () => {
      const text = await row.innerText();
      if (/\$0\.000\d+ of \$0\.001 daily/.test(text)) return true;
      await nav("Teams").click();
      await nav("Keys").click();
      return false;
    });
    await nav("Teams").click();
    await page.getByRole("row").filter({ hasText: "search" }).filter({ hasText: /of \$0\.002 monthly/ }).waitFor();

    await nav("Usage").click();
    await page.getByLabel("Group by").selectOption("key");
    await page.getByRole("row").filter({ hasText: "search-bot" }).waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\r\n")[0]).toBe("group,name,requests,errors,prompt_tokens,completion_tokens,cost_usd,cache_hits,cache_saved_usd,p50_ms,p95_ms");
    expect(csv).toMatch(/\nkey_[^,]+,search-bot,3,0,/);
  });

  it("works from the keyboard: skip link, navigation, a dialog that Escape closes", async () => {
    await page.goto(`${gw.url}/ui/keys`); // a fresh load: still signed in (the tab's session storage)
    await page.getByRole("heading", { name: "Keys", exact: true }).waitFor();
    await page.getByRole("row").filter({ hasText: "search-bot" }).waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement.id")).toBe("main");
    const revoke = page.getByRole("row").filter({ hasText: "search-bot" }).getByRole("button", { name: "Revoke", exact: true });
    await revoke.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Cancel"); // the safe choice has focus
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Revoke"); // back where it was
    expect(await page.getByRole("row").filter({ hasText: "search-bot" }).innerText()).toContain("active");
    // Navigation by keyboard: focus lands on the new page's heading.
    await nav("Teams").focus();
    await page.keyboard.press("Enter");
    await until("focus on the heading", async () => (await page.evaluate("document.activeElement.tagName + ':' + document.activeElement.textContent")) === "H1:Teams");
  });

  const PAGES: [string, string][] = [
    ["overview", "/?range=1h"], ["logs", "/logs"], ["request", ""], ["keys", "/keys"], ["teams", "/teams"],
    ["providers", "/providers"], ["usage", "/usage"], ["playground", "/playground"], ["workflows", "/workflows?name=greet"],
  ];


  for (const [width, scheme] of [[1280, "light"], [390, "dark"]] as const) {
    it(`passes axe-core on every page at ${width} px in ${scheme} mode, without overflowing`, async () => {
      const pages = PAGES.map(([name, path]): [string, string] => [name, path || `/logs/${encodeURIComponent(apiRequestId)}`]);
      expect(await auditPages(page, pages, width, scheme)).toBe("");
    }, 90_000); // nine pages, axe-core on each: beside the other browser file on two loaded cores, more than the default 30 s
  }

  it("passes axe-core on the sign-in page, and a member key sees only what it may use", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: "light" });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API key").waitFor();
    expect(describeViolations(await axe(page))).toBe("");
    await screenshot(page, "sign-in-1280-light");

    const member = await api<{ key: string }>("POST", "/admin/keys", { name: "member-key", role: "member" });
    await page.getByLabel("API key").fill(member.key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await nav("Playground").waitFor();
    const links = await page.getByRole("navigation").getByRole("link").allInnerTexts();
    expect(links).toEqual(["Playground", "Workflows", "Prompts"]);
    expect(problems).toEqual([]);
  });
});
