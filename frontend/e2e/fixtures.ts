import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const API_KEY = process.env.CORPUS_API_KEY ?? "dev-key";
export const SEED_ID = process.env.CORPUS_SEED_DOC_ID ?? "";
export const SEED_TITLE = process.env.CORPUS_SEED_TITLE ?? "";
export const DATA_BUCKET = process.env.CORPUS_DATA_BUCKET ?? "";
export const SCREENSHOTS = process.env.CORPUS_SCREENSHOTS ?? "screenshots";

export async function setApiKey(page: Page, key: string): Promise<void> {
  await page.goto("/settings");
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText(/Saved/);
}

/** No serious or critical accessibility violation on the page as it is now. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(bad, `${what}: accessibility violations`).toEqual([]);
}

/** The page fits the viewport's width (no sideways scrolling at 360 px). */
export async function expectNoHorizontalScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${what}: wider than the viewport by ${overflow}px`).toBeLessThanOrEqual(0);
}

export function unique(word: string): string {
  return `${word}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`.replace(/[0-9]/g, (d) =>
    "qwertyuiop".charAt(Number(d)),
  );
}
