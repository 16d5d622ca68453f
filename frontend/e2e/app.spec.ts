import { expect, test } from "@playwright/test";
import { API_KEY, DATA_BUCKET, SEED_ID, SEED_TITLE, expectAccessible, setApiKey, unique } from "./fixtures";

test("a search finds the seeded document, highlights the match and opens it", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("Search the corpus").fill("narwhals");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\?q=narwhals$/);
  const result = page.getByRole("link", { name: SEED_TITLE });
  await expect(result).toBeVisible();
  await expect(page.locator("ol.hits mark").first()).toHaveText(/narwhals/i);
  await expectAccessible(page, "search results");
  await result.click();
  await expect(page.getByRole("heading", { level: 1, name: SEED_TITLE })).toBeVisible();
  await expect(page.getByLabel("Document text")).toContainText("narwhals");
  await expectAccessible(page, "document");
});

test("deep links to a document and a job survive a reload", async ({ page }) => {
  await page.goto(`/documents/${SEED_ID}`);
  await expect(page.getByRole("heading", { level: 1, name: SEED_TITLE })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: SEED_TITLE })).toBeVisible();
  await page.goto("/?q=narwhals");
  await expect(page.getByLabel("Search the corpus")).toHaveValue("narwhals");
  await expect(page.getByRole("link", { name: SEED_TITLE })).toBeVisible();

  await setApiKey(page, API_KEY);
  await page.goto("/upload");
  await page.getByLabel("Choose files").setInputFiles({
    name: "deep-link.txt",
    mimeType: "text/plain",
    buffer: Buffer.from(`Deep link\n\n${unique("anchor")}`),
  });
  await page.getByRole("link", { name: "Follow its ingestion job" }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  const jobUrl = page.url();
  await page.reload();
  await expect(page).toHaveURL(jobUrl);
  await expect(page.getByRole("heading", { level: 1, name: /^Job / })).toBeVisible();
  await page.goto("/no/such/page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("an upload of three files shows each one's progress and they become searchable", async ({ page }) => {
  await setApiKey(page, API_KEY);
  await page.goto("/upload");
  const words = [unique("lantern"), unique("harbour"), unique("glacier")];
  // Dropped together onto the drop zone, as a person drags them from a file manager.
  const files = await page.evaluateHandle((ws) => {
    const dt = new DataTransfer();
    ws.forEach((w, i) =>
      dt.items.add(
        // ~300 KiB each, so the upload takes long enough to report progress.
        new File([`Note ${i}\n\n${w} ` + "filler text for the upload. ".repeat(11_000)], `note-${i}.${i === 1 ? "md" : "txt"}`, {
          type: "text/plain",
        }),
      ),
    );
    return dt;
  }, words);
  await page.locator(".dropzone").dispatchEvent("drop", { dataTransfer: files });
  const uploads = page.getByRole("list", { name: "Uploads" });
  for (let i = 0; i < 3; i++) {
    const item = uploads.getByRole("listitem", { name: `note-${i}.${i === 1 ? "md" : "txt"}` });
    await expect(item.getByRole("progressbar")).toBeVisible();
    await expect(item.getByText("Uploaded.")).toBeVisible();
    await expect(item.getByRole("progressbar")).toHaveAttribute("aria-valuetext", "100%");
  }
  // Each upload is a job: follow one to its end, then every file is searchable.
  await uploads.getByRole("link", { name: "Follow its ingestion job" }).first().click();
  await expect(page.getByRole("status").filter({ hasText: "Completed" })).toBeVisible({ timeout: 45_000 });
  for (const w of words) {
    await expect(async () => {
      await page.goto(`/?q=${w}`);
      await expect(page.locator("ol.hits mark").first()).toHaveText(w, { timeout: 2_000 });
    }).toPass({ timeout: 45_000 });
  }
});

test("a file that cannot be ingested shows its reason on the job page", async ({ page }) => {
  await setApiKey(page, API_KEY);
  await page.goto("/upload");
  await page.getByLabel("Choose files").setInputFiles({
    name: "broken.txt",
    mimeType: "text/plain",
    buffer: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0xc3, 0x28]),
  });
  await page.getByRole("link", { name: "Follow its ingestion job" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Failed" })).toBeVisible({ timeout: 45_000 });
  await expect(page.getByRole("heading", { name: "Failed files" })).toBeVisible();
  await expect(page.locator("ul.errors li")).toContainText(/broken\.txt.*(UTF-8|binary)/);
  await expectAccessible(page, "failed job");
});

test("a wrong API key shows a clear error with its request id", async ({ page }) => {
  await setApiKey(page, "not-the-key");
  await page.goto("/jobs");
  await page.getByLabel("Bucket").fill("corpus-data");
  await page.getByLabel("Prefix").fill("reports/");
  await page.getByRole("button", { name: "Start job" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Missing or invalid API key");
  await expect(alert).toContainText(/Request id: [0-9a-f-]{36}/);
  await expect(alert).toContainText("HTTP 401");
  // The key never appears in the address bar.
  expect(page.url()).not.toContain("not-the-key");
});

test("the keyboard reaches everything, with a visible focus", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Search" })).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeInViewport();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  const focused = page.locator(":focus");
  await expect(focused).toHaveText("Search");
  const outline = await focused.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe("none");
  await page.getByLabel("Search the corpus").focus();
  await page.keyboard.type("narwhals");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("link", { name: SEED_TITLE })).toBeVisible();
});

test("the file picker is reachable by keyboard and shows its focus", async ({ page }) => {
  await page.goto("/upload");
  await page.getByLabel("Choose files").focus();
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Choose files")).toBeFocused();
  const outline = await page.locator("label[for=files]").evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe("none");
});

test("a multi-megabyte document streams in and is shown in windows", async ({ page, request }) => {
  const marker = unique("iceberg");
  const paragraph = "The survey ship logged another day of drifting ice and quiet water. ".repeat(40) + "\n\n";
  const text = `Logbook\n\n${marker}\n\n` + paragraph.repeat(1_500); // ~4 MiB
  const created = await request.post("/api/documents/documents", {
    headers: { authorization: `Bearer ${API_KEY}` },
    data: { title: `Logbook ${marker}`, text },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await page.goto(`/documents/${id}`);
  await expect(page.getByRole("heading", { level: 1, name: `Logbook ${marker}` })).toBeVisible();
  const show = page.getByRole("button", { name: "Show more" });
  await expect(show).toBeVisible();
  const textBox = page.getByLabel("Document text");
  await expect(textBox).toContainText(marker);
  // Only a window of the text is in the page, however large the document.
  expect((await textBox.textContent())?.length).toBe(200_000);
  await show.click();
  await expect.poll(async () => (await textBox.textContent())?.length).toBe(400_000);
  await expect(page.getByText(/Showing 391 KiB of \d\.\d MiB/)).toBeVisible();
});

test("every API call carries its own request id", async ({ page }) => {
  const ids: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname.startsWith("/api/")) ids.push(r.headers()["x-request-id"] ?? "missing");
  });
  await page.goto("/?q=narwhals");
  await expect(page.getByRole("link", { name: SEED_TITLE })).toBeVisible();
  await page.goto("/jobs");
  await expect(page.getByRole("heading", { name: "Recent jobs" })).toBeVisible();
  await page.goto(`/documents/${SEED_ID}`);
  await expect(page.getByLabel("Document text")).toContainText("narwhals");
  expect(ids.length).toBeGreaterThanOrEqual(4);
  for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(new Set(ids).size).toBe(ids.length);
});

test("a job started over a bucket and prefix runs to its end and lists first", async ({ page }) => {
  await setApiKey(page, API_KEY);
  await page.goto("/jobs");
  await page.getByLabel("Bucket").fill(DATA_BUCKET);
  await page.getByLabel("Prefix").fill("reports/");
  await page.getByRole("button", { name: "Start job" }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  const id = page.url().split("/").pop() ?? "";
  await expect(page.getByRole("status").filter({ hasText: "Completed" })).toBeVisible({ timeout: 45_000 });
  await expect(page.getByText("1 in all: 1 ingested")).toBeVisible();
  await page.getByRole("link", { name: "Jobs" }).click();
  await expect(page.locator("table a").first()).toHaveAttribute("href", `/jobs/${id}`);
  await page.goto("/?q=cormorants");
  await expect(page.getByRole("link", { name: "Harbour ledger" })).toBeVisible();
});

test("a failed upload can be retried", async ({ page }) => {
  await setApiKey(page, "not-the-key");
  await page.goto("/upload");
  await page.getByLabel("Choose files").setInputFiles({
    name: "retry-me.txt",
    mimeType: "text/plain",
    buffer: Buffer.from(`Retry\n\n${unique("petrel")}`),
  });
  const item = page.getByRole("list", { name: "Uploads" }).getByRole("listitem", { name: "retry-me.txt" });
  await expect(item.getByRole("alert")).toContainText("Missing or invalid API key");
  // The right key, then the item's own retry (the page keeps its uploads).
  await page.evaluate((key) => sessionStorage.setItem("corpus.apiKey", key), API_KEY);
  await item.getByRole("button", { name: "Retry retry-me.txt" }).click();
  await expect(item.getByText("Uploaded.")).toBeVisible();
  await expect(item.getByRole("alert")).toHaveCount(0);
});

test("search results and the job list page with their cursors", async ({ page, request }) => {
  const word = unique("albatross");
  for (let i = 0; i < 12; i++) {
    const r = await request.post("/api/documents/documents", {
      headers: { authorization: `Bearer ${API_KEY}` },
      data: { title: `Sighting ${i}`, text: `Sighting ${i}\n\nAn ${word} glided past the mast, log entry ${i}.` },
    });
    expect(r.status()).toBe(201);
  }
  await page.goto(`/?q=${word}`);
  await expect(page.locator("ol.hits > li")).toHaveCount(10);
  await page.getByRole("button", { name: "More results" }).click();
  await expect(page.locator("ol.hits > li")).toHaveCount(12);
  await expect(page.getByRole("button", { name: "More results" })).toHaveCount(0);

  // More than one page of jobs (20 a page): empty prefixes finish at once.
  for (let i = 0; i < 21; i++) {
    const r = await request.post(`/api/ingest/jobs?bucket=${DATA_BUCKET}&prefix=${unique("empty")}/`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(r.status()).toBe(202);
  }
  await page.goto("/jobs");
  await expect(page.locator("tbody tr")).toHaveCount(20);
  await page.getByRole("button", { name: "More jobs" }).click();
  await expect.poll(async () => page.locator("tbody tr").count()).toBeGreaterThan(20);
});

test("search filters narrow the results, collapse to one per document and survive a reload", async ({ page, request }) => {
  const word = unique("kestrel");
  // One document that mentions the word in three passages (paragraphs of ~7 KiB), one once.
  const paragraph = `${word} hovered. ${"Filler words about the moor. ".repeat(250)}\n\n`;
  for (const [title, text] of [
    [`Three ${word}`, paragraph.repeat(3)],
    [`One ${word}`, `A single ${word} over the field.`],
  ]) {
    const r = await request.post("/api/documents/documents", {
      headers: { authorization: `Bearer ${API_KEY}` },
      data: { title, text },
    });
    expect(r.status()).toBe(201);
  }
  await page.goto(`/?q=${word}`);
  await expect(page.locator("ol.hits > li")).toHaveCount(4);

  await page.getByLabel("Best passage per document only").check();
  await page.getByLabel("Search the corpus").press("Enter");
  await expect(page).toHaveURL(/collapse=document/);
  await expect(page.locator("ol.hits > li")).toHaveCount(2);
  await expect(page.getByRole("status")).toHaveText(/About 2 documents/);
  await expectAccessible(page, "search with filters");

  await page.getByLabel("Content type").fill("text/markdown");
  await page.getByLabel("Content type").press("Enter");
  await expect(page).toHaveURL(/type=text%2Fmarkdown/);
  await expect(page.getByRole("status")).toHaveText(/with these filters/);

  await page.reload();
  await expect(page.getByLabel("Content type")).toHaveValue("text/markdown");
  await expect(page.getByLabel("Best passage per document only")).toBeChecked();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(new RegExp(`\\?q=${word}$`));
  await expect(page.locator("ol.hits > li")).toHaveCount(4);
});
