// Regenerates the typed API (src/api/<service>.gen.ts) from the committed OpenAPI
// documents (../openapi/<service>.json): `npm run gen:api`. A unit test
// (src/api/drift.test.ts) fails when the committed files differ from what this produces.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { generate, SERVICES } from "./api-types.mjs";

for (const service of SERVICES) {
  const out = fileURLToPath(new URL(`../src/api/${service}.gen.ts`, import.meta.url));
  await writeFile(out, await generate(service));
  process.stdout.write(`wrote src/api/${service}.gen.ts\n`);
}
