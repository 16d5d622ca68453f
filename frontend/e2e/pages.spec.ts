import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { API_KEY, SCREENSHOTS, SEED_ID, SEED_TITLE, expectAccessible, expectNoHorizontalScroll, setApiKey } from "./fixtures";

// Every page at desktop and phone width: axe finds no serious or critical violation, the
// page fits 360 px without sideways scrolling, and a screenshot of each is written to
// $CORPUS_SCREENSHOTS (frontend/screenshots by default; see the README).
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 360, height: 740 },
];

test("every page is accessible, fits a phone, and is photographed", async ({ page }) => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await setApiKey(page, API_KEY);
  await page.goto("/jobs");
  const firstJob = page.locator("table a").first();
  await expect(firstJob).toBeVisible();
  const jobPath = (await firstJob.getAttribute("href")) ?? "/jobs";
  const pages: { name: string; path: string; ready: string | RegExp }[] = [
    { name: "search", path: "/?q=narwhals", ready: SEED_TITLE },
    { name: "search-empty", path: "/", ready: "Type a word or a phrase" },
    { name: "document", path: `/documents/${SEED_ID}`, ready: "Delete…" },
    { name: "upload", path: "/upload", ready: "Drop files here" },
    { name: "jobs", path: "/jobs", ready: "Recent jobs" },
    { name: "job", path: jobPath, ready: /files handled|Completed|Failed/ },
    { name: "settings", path: "/settings", ready: "API key" },
  ];
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    for (const p of pages) {
      await page.goto(p.path);
      await expect(page.getByText(p.ready).first()).toBeVisible();
      await expectAccessible(page, `${p.name} at ${vp.name} width`);
      if (vp.name === "phone") await expectNoHorizontalScroll(page, `${p.name} at 360 px`);
      await page.screenshot({ path: join(SCREENSHOTS, `${p.name}-${vp.name}.png`), fullPage: true });
    }
  }
});
