// The CloudFront Function that serves deep links in AWS (terraform/modules/static-site/
// spa-fallback.js), run against this app's routes: every page URL must reach index.html,
// every built asset must not.
// @vitest-environment node
import { readFile } from "node:fs/promises";
import { runInNewContext } from "node:vm";

type Handler = (event: { request: { uri: string } }) => { uri: string };

async function loadHandler(): Promise<Handler> {
  const code = await readFile(new URL("../../../terraform/modules/static-site/spa-fallback.js", import.meta.url), "utf8");
  const sandbox: { handler?: Handler } = {};
  runInNewContext(`${code}\nthis.handler = handler;`, sandbox);
  if (!sandbox.handler) throw new Error("spa-fallback.js defines no handler");
  return sandbox.handler;
}

describe("SPA fallback at the edge", () => {
  it("serves index.html for every route of the app", async () => {
    const handler = await loadHandler();
    for (const uri of [
      "/",
      "/documents/01a20b54-c3d8-718d-b5f8-65c46f345a26",
      "/jobs",
      "/jobs/01a20b54-c3d8-718d-b5f8-65c46f345a26",
      "/upload",
      "/settings",
      "/no/such/page",
    ]) {
      expect(handler({ request: { uri } }).uri, uri).toBe("/index.html");
    }
  });

  it("leaves files alone", async () => {
    const handler = await loadHandler();
    for (const uri of ["/assets/index-CXJ3Xduf.js", "/assets/index-DJ4tZcUx.css", "/index.html", "/favicon.ico"]) {
      expect(handler({ request: { uri } }).uri).toBe(uri);
    }
  });
});
