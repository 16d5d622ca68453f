import type { UploadRequest } from "../../api/client";

type ContentType = UploadRequest["content_type"];

const BY_EXTENSION: Record<string, ContentType> = {
  txt: "text/plain",
  log: "text/plain",
  md: "text/markdown",
  jsonl: "application/jsonl",
  ndjson: "application/x-ndjson",
};

/** The content type an upload of `filename` declares; unsupported names get text/plain and the service names the problem. */
export function contentTypeFor(filename: string): ContentType {
  const ext = filename.split(".").pop()?.toLowerCase() ?? "";
  return BY_EXTENSION[ext] ?? "text/plain";
}
