// The search page's filters as they live in the URL (so a narrowed search can be shared
// and reloaded) and as the documents API takes them. Dates are days in UTC: "from" is the
// first day included, "before" the first day excluded (the API's created_from/created_to).
export interface SearchFilters {
  sourcePrefix: string;
  jobId: string;
  contentType: string;
  /** YYYY-MM-DD, or "" */
  createdFrom: string;
  /** YYYY-MM-DD, or "" */
  createdBefore: string;
  /** One hit per document (the API's collapse=document). */
  perDocument: boolean;
}

export const NO_FILTERS: SearchFilters = {
  sourcePrefix: "",
  jobId: "",
  contentType: "",
  createdFrom: "",
  createdBefore: "",
  perDocument: false,
};

// URL parameter of each filter.
const PARAM = {
  sourcePrefix: "source",
  jobId: "job",
  contentType: "type",
  createdFrom: "from",
  createdBefore: "before",
} as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

export function readFilters(params: URLSearchParams): SearchFilters {
  const day = (v: string | null) => (v && DAY.test(v) ? v : "");
  return {
    sourcePrefix: params.get(PARAM.sourcePrefix) ?? "",
    jobId: params.get(PARAM.jobId) ?? "",
    contentType: params.get(PARAM.contentType) ?? "",
    createdFrom: day(params.get(PARAM.createdFrom)),
    createdBefore: day(params.get(PARAM.createdBefore)),
    perDocument: params.get("collapse") === "document",
  };
}

/** The page's URL parameters: the query first, then only the filters that are set. */
export function toParams(q: string, f: SearchFilters): Record<string, string> {
  const out: Record<string, string> = {};
  if (q) out.q = q;
  for (const key of Object.keys(PARAM) as (keyof typeof PARAM)[]) {
    const v = f[key].trim();
    if (v) out[PARAM[key]] = v;
  }
  if (f.perDocument) out.collapse = "document";
  return out;
}

export interface FilterQuery {
  source_prefix?: string;
  job_id?: string;
  content_type?: string;
  created_from?: string;
  created_to?: string;
  collapse?: "none" | "document";
}

/** The API's query parameters for the filters that are set. */
export function toQuery(f: SearchFilters): FilterQuery {
  const q: FilterQuery = {};
  if (f.sourcePrefix.trim()) q.source_prefix = f.sourcePrefix.trim();
  if (f.jobId.trim()) q.job_id = f.jobId.trim().toLowerCase();
  if (f.contentType.trim()) q.content_type = f.contentType.trim();
  if (f.createdFrom) q.created_from = `${f.createdFrom}T00:00:00Z`;
  if (f.createdBefore) q.created_to = `${f.createdBefore}T00:00:00Z`;
  if (f.perDocument) q.collapse = "document";
  return q;
}

export function activeCount(f: SearchFilters): number {
  return Object.keys(toQuery(f)).length;
}
