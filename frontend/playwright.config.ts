import { defineConfig } from "@playwright/test";

// End-to-end tests against the real stack that scripts/test-frontend.sh starts (services,
// PostgreSQL, the AWS emulator, the production build behind `vite preview`). The browser
// is Debian's chromium, launched by path: Playwright never downloads one.
const chromium = process.env.CORPUS_CHROMIUM ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: process.env.CORPUS_WEB_URL ?? "http://127.0.0.1:8080",
    browserName: "chromium",
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    trace: "off",
  },
});
