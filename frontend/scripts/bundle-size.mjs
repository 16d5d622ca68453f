// Prints the production bundle's size (raw and gzip) after `vite build`, and fails the
// build when the JavaScript grows past the budget: a few pages need no UI framework
// megabytes.
import { readdir, readFile, stat } from "node:fs/promises";
import { gzipSync } from "node:zlib";

const BUDGET_JS_GZIP = 120 * 1024;
const dir = new URL("../dist/assets/", import.meta.url);
let jsGzip = 0;
let total = 0;
const rows = [];
for (const name of (await readdir(dir)).sort()) {
  const body = await readFile(new URL(name, dir));
  const gz = gzipSync(body).length;
  const raw = (await stat(new URL(name, dir))).size;
  total += gz;
  if (name.endsWith(".js")) jsGzip += gz;
  rows.push(`  assets/${name}  ${(raw / 1024).toFixed(1)} KiB  (${(gz / 1024).toFixed(1)} KiB gzip)`);
}
process.stdout.write(`bundle:\n${rows.join("\n")}\n`);
process.stdout.write(
  `bundle: ${(total / 1024).toFixed(1)} KiB gzip in all, JavaScript ${(jsGzip / 1024).toFixed(1)} KiB gzip (budget ${BUDGET_JS_GZIP / 1024} KiB)\n`,
);
if (jsGzip > BUDGET_JS_GZIP) {
  process.stderr.write("bundle: JavaScript over budget\n");
  process.exit(1);
}
