import { contentTypeFor } from "./contentType";

describe("upload content types", () => {
  it("follows the extension, in any case", () => {
    expect(contentTypeFor("notes.TXT")).toBe("text/plain");
    expect(contentTypeFor("server.log")).toBe("text/plain");
    expect(contentTypeFor("README.md")).toBe("text/markdown");
    expect(contentTypeFor("rows.jsonl")).toBe("application/jsonl");
    expect(contentTypeFor("rows.ndjson")).toBe("application/x-ndjson");
  });
});
