// The one typed client of both services (types generated from the committed OpenAPI
// documents by `npm run gen:api`). Every call is same-origin under the services'
// BASE_PATHs, carries a fresh `x-request-id`, and writes carry the API key from session
// storage. Failures become `ApiError`, which keeps the problem's title, detail and the
// request id a user can quote to an operator.
import createClient, { type Middleware } from "openapi-fetch";
import type { components as DocumentsComponents, paths as DocumentsPaths } from "./documents.gen";
import type { components as IngestComponents, paths as IngestPaths } from "./ingest.gen";

export type DocumentView = DocumentsComponents["schemas"]["DocumentView"];
export type DocumentPage = DocumentsComponents["schemas"]["DocumentPage"];
export type Hit = DocumentsComponents["schemas"]["Hit"];
export type SearchPage = DocumentsComponents["schemas"]["SearchPage"];
export type Problem = DocumentsComponents["schemas"]["Problem"];
export type JobView = IngestComponents["schemas"]["JobView"];
export type JobState = IngestComponents["schemas"]["JobState"];
export type JobPage = IngestComponents["schemas"]["JobPage"];
export type UploadRequest = IngestComponents["schemas"]["UploadRequest"];
export type UploadTicket = IngestComponents["schemas"]["UploadTicket"];

export const DOCUMENTS_BASE = "/api/documents";
export const INGEST_BASE = "/api/ingest";
export const REQUEST_ID_HEADER = "x-request-id";

const KEY_STORAGE = "corpus.apiKey";

/** The API key of this browser tab (session storage: gone when the tab closes). */
export const apiKey = {
  get(): string {
    return sessionStorage.getItem(KEY_STORAGE) ?? "";
  },
  set(key: string): void {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  },
};

/** A failed call: the service's problem details, or what we know when there are none. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly requestId: string;
  /** `Retry-After` of a shed request (503) in seconds: when to ask again. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    title: string,
    detail: string,
    requestId: string,
    retryAfterSeconds?: number,
  ) {
    super(`${title}: ${detail}`);
    this.name = "ApiError";
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.requestId = requestId;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** `Retry-After` as seconds from now: delta-seconds or an HTTP date; absent or unreadable is undefined. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP date names its day and month ("Thu, 03 Dec 2026 10:00:05 GMT").
  const at = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

export function newRequestId(): string {
  return crypto.randomUUID();
}

const observe: Middleware = {
  onRequest({ request }) {
    request.headers.set(REQUEST_ID_HEADER, newRequestId());
    const key = apiKey.get();
    if (key && request.method !== "GET" && request.method !== "HEAD") {
      request.headers.set("authorization", `Bearer ${key}`);
    }
    return request;
  },
};

export const documentsApi = createClient<DocumentsPaths>({ baseUrl: DOCUMENTS_BASE });
export const ingestApi = createClient<IngestPaths>({ baseUrl: INGEST_BASE });
documentsApi.use(observe);
ingestApi.use(observe);

function isProblem(body: unknown): body is Problem {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof (body as Problem).title === "string" &&
    typeof (body as Problem).detail === "string"
  );
}

/** Turns an error response (problem+json or not) into an `ApiError`. */
export function toApiError(response: Response, body: unknown, sentId: string): ApiError {
  const requestId = response.headers.get(REQUEST_ID_HEADER) ?? sentId;
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
  if (isProblem(body)) {
    return new ApiError(
      response.status,
      body.title,
      body.detail,
      body.request_id || requestId,
      retryAfter,
    );
  }
  const reason = response.statusText || "the service did not answer as expected";
  return new ApiError(response.status, `HTTP ${response.status}`, reason, requestId, retryAfter);
}

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call, or throws the call's `ApiError`. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch (err) {
    throw new ApiError(0, "Network error", err instanceof Error ? err.message : String(err), "none");
  }
  const { data, error, response } = outcome;
  if (!response.ok || error !== undefined) {
    throw toApiError(response, error, response.headers.get(REQUEST_ID_HEADER) ?? "unknown");
  }
  return data as T;
}
