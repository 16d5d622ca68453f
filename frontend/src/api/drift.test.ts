// The committed generated types must be exactly what `npm run gen:api` makes from the
// committed OpenAPI documents: a changed spec without regenerated types fails here.
// @vitest-environment node
import { readFile } from "node:fs/promises";
// @ts-expect-error: a plain ES module of the generator, without type declarations
import { generate, SERVICES } from "../../scripts/api-types.mjs";

describe("generated API types", () => {
  it.each(SERVICES as string[])("src/api/%s.gen.ts matches openapi/%s.json", async (service) => {
    const committed = await readFile(new URL(`./${service}.gen.ts`, import.meta.url), "utf8");
    expect(committed === (await generate(service)), `run npm run gen:api (${service})`).toBe(true);
  });
});
