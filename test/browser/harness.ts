/**
 * What the dashboard's browser tests share: Debian's Chromium driven by
 * playwright-core (never a downloaded browser), started with the flags this
 * machine needs and a fresh profile; axe-core run inside the page; and the
 * screenshots kept in test/browser/artifacts (git-ignored).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.LIAISON_CHROMIUM ?? "/usr/bin/chromium";
export const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;

// Without the background-networking flags Chromium calls home at every start, and this machine's closed network refuses it.
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "liaison-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
    // Not bypassCSP: the page must work under the gateway's Content-Security-Policy.
  });
  // Fail within a test's time with the locator that did not appear, rather than at the test's timeout.
  context.setDefaultTimeout(10_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Console errors, failed requests' pages and CSP violations a page reported, for the test to assert none. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    // A 401/403/404 the page asked for on purpose shows as a console error too; the tests check those states themselves.
    if (m.type() === "error" && !/status of (401|403|404)/.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

const axeSource = (createRequire(import.meta.url)("axe-core") as { source: string }).source;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core on the page as it is now (WCAG 2.x A and AA rules and best practices); the serious and critical findings. */
export async function axe(page: Page): Promise<AxeViolation[]> {
  // Evaluated, not added as a <script>: the page's CSP allows no inline script, which is the point.
  await page.evaluate(`${axeSource};0`);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ["violations"] })`)) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

export function describeViolations(vs: AxeViolation[]): string {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.slice(0, 3).map((n) => `  ${n.target.join(" ")}: ${n.failureSummary ?? ""}`).join("\n")}`).join("\n");
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Polls `check` until it returns a value that is not undefined/false, or throws after `ms`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got !== undefined && got !== false) return got;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs in the page: how many of the chart canvas's pixels have the first series' colour (the root tsconfig has no DOM types). */
interface ChartBox {
  querySelector(s: "canvas"): { width: number; height: number; getContext(t: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } } | null;
}
export function seriesPixels(el: ChartBox): number {
  const c = el.querySelector("canvas");
  if (!c) return 0;
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const style = (globalThis as unknown as { getComputedStyle(e: unknown): { getPropertyValue(n: string): string } }).getComputedStyle(el);
  const want = style.getPropertyValue("--series-1").trim();
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(want.slice(i, i + 2), 16)) as [number, number, number];
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i]! - r) < 40 && Math.abs(d[i + 1]! - g) < 40 && Math.abs(d[i + 2]! - b) < 40 && d[i + 3]! > 200) n++;
  }
  return n;
}

/** Opens a dashboard page (in the app, as a click would) and waits until nothing is loading. */
export async function openInApp(page: Page, path: string): Promise<void> {
  await page.evaluate(`history.pushState(null, "", ${JSON.stringify(`/ui${path}`)}); dispatchEvent(new PopStateEvent("popstate"))`);
  await page.locator("h1").first().waitFor();
  await until("the page to load", async () => (await page.getByRole("status").filter({ hasText: /^Loading/ }).count()) === 0);
  await page.waitForTimeout(150); // charts draw on the next frame
}

/**
 * Opens each page at `width` px in `scheme` mode, runs axe-core, checks
 * nothing overflows sideways, and keeps a screenshot of each
 * (NAME-WIDTH-SCHEME.png); the findings, one paragraph a page ("" for none).
 */
export async function auditPages(page: Page, pages: readonly (readonly [string, string])[], width: number, scheme: "light" | "dark"): Promise<string> {
  await page.setViewportSize({ width, height: 900 });
  await page.emulateMedia({ colorScheme: scheme });
  const failures: string[] = [];
  for (const [name, path] of pages) {
    await openInApp(page, path);
    const violations = await axe(page);
    if (violations.length > 0) failures.push(`${name}:\n${describeViolations(violations)}`);
    const overflow = (await page.evaluate("document.documentElement.scrollWidth")) as number;
    if (overflow > width + 1) failures.push(`${name}: the page is ${overflow} px wide at ${width} px`);
    await screenshot(page, `${name}-${width}-${scheme}`);
  }
  return failures.join("\n\n");
}
