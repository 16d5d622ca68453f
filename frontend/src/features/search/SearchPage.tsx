import { useMemo, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { ApiError } from "../../api/client";
import { Loading } from "../../components/Loading";
import { ProblemAlert } from "../../components/ProblemAlert";
import { SearchFiltersFields } from "./SearchFiltersFields";
import { Snippet } from "./Snippet";
import { NO_FILTERS, activeCount, readFilters, toParams, toQuery, type SearchFilters } from "./filters";
import { useSearch } from "./useSearch";

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const urlKey = params.toString();
  const filters = useMemo(() => readFilters(new URLSearchParams(urlKey)), [urlKey]);
  const [draft, setDraft] = useState(q);
  const [draftFilters, setDraftFilters] = useState<SearchFilters>(filters);
  const [shown, setShown] = useState(urlKey);
  if (shown !== urlKey) {
    // The URL changed (back/forward, a shared link): the form follows it.
    setShown(urlKey);
    setDraft(q);
    setDraftFilters(filters);
  }
  const query = useMemo(() => toQuery(filters), [filters]);
  const search = useSearch(q, query);
  const perDocument = filters.perDocument;

  function submit(e: FormEvent) {
    e.preventDefault();
    setParams(toParams(draft.trim(), draftFilters));
  }

  function clearFilters() {
    setDraftFilters(NO_FILTERS);
    setParams(toParams(draft.trim(), NO_FILTERS));
  }

  const hits = search.data?.pages.flatMap((p) => p.hits) ?? [];
  const total = search.data?.pages[0]?.estimated_total ?? 0;
  const unit = perDocument ? ["document", "documents"] : ["passage", "passages"];
  const narrowed = activeCount(filters) - (perDocument ? 1 : 0);
  // A shed search (503) is asked again after its Retry-After (App.tsx): say so meanwhile.
  const shed = search.failureReason instanceof ApiError && search.failureReason.status === 503;
  return (
    <section>
      <h1>Search</h1>
      <form role="search" onSubmit={submit} className="search-form">
        <label htmlFor="q">Search the corpus</label>
        <div className="row">
          <input
            id="q"
            name="q"
            type="search"
            value={draft}
            maxLength={1000}
            onChange={(e) => setDraft(e.target.value)}
            aria-describedby="syntax"
          />
          <button type="submit">Search</button>
        </div>
        <SearchFiltersFields value={draftFilters} onChange={setDraftFilters} onClear={clearFilters} />
      </form>
      <details id="syntax" className="help">
        <summary>Search syntax</summary>
        <ul>
          <li>
            <code>whale song</code>: passages with both words (in any form: <em>songs</em>, <em>singing</em>)
          </li>
          <li>
            <code>"blue whale"</code>: the exact phrase
          </li>
          <li>
            <code>whale or dolphin</code>: either word
          </li>
          <li>
            <code>whale -sperm</code>: without a word
          </li>
        </ul>
      </details>

      {!q ? <p className="hint">Type a word or a phrase to search every stored document.</p> : null}
      {search.isPending && q ? (
        <Loading label={shed ? "Many searches are running; trying again in a moment…" : "Searching…"} />
      ) : null}
      {search.isError ? <ProblemAlert error={search.error} onRetry={() => void search.refetch()} /> : null}
      {search.isSuccess && hits.length === 0 ? (
        <p role="status">
          No passage matches <strong>{q}</strong>
          {narrowed > 0 ? " with these filters" : ""}. Try fewer words, another form of a word
          {narrowed > 0 ? ", or fewer filters" : ""}.
        </p>
      ) : null}
      {hits.length > 0 ? (
        <>
          <p role="status" className="count">
            About {total} {total === 1 ? unit[0] : unit[1]}
            {narrowed > 0 ? ` (${narrowed} ${narrowed === 1 ? "filter" : "filters"})` : ""}; {hits.length} shown
            {search.hasNextPage ? ", more available" : ""}
          </p>
          <ol className="hits">
            {hits.map((h) => (
              <li key={`${h.document_id}:${h.seq}`}>
                <h2>
                  <Link to={`/documents/${h.document_id}`}>{h.title}</Link>
                </h2>
                <Snippet snippet={h.snippet} />
                <p className="meta">{perDocument ? `Best passage: ${h.seq + 1}` : `Passage ${h.seq + 1}`}</p>
              </li>
            ))}
          </ol>
        </>
      ) : null}
      {search.hasNextPage ? (
        <button type="button" onClick={() => void search.fetchNextPage()} disabled={search.isFetchingNextPage}>
          {search.isFetchingNextPage ? "Loading more…" : "More results"}
        </button>
      ) : null}
    </section>
  );
}
