import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { Loading } from "../../components/Loading";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Snippet } from "./Snippet";
import { useSearch } from "./useSearch";

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const [draft, setDraft] = useState(q);
  const [shown, setShown] = useState(q);
  if (shown !== q) {
    // The URL changed (back/forward, a shared link): the box follows it.
    setShown(q);
    setDraft(q);
  }
  const search = useSearch(q);

  function submit(e: FormEvent) {
    e.preventDefault();
    const next = draft.trim();
    setParams(next ? { q: next } : {});
  }

  const hits = search.data?.pages.flatMap((p) => p.hits) ?? [];
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
      {search.isPending && q ? <Loading label="Searching…" /> : null}
      {search.isError ? <ProblemAlert error={search.error} onRetry={() => void search.refetch()} /> : null}
      {search.isSuccess && hits.length === 0 ? (
        <p role="status">
          No passage matches <strong>{q}</strong>. Try fewer words, or another form of a word.
        </p>
      ) : null}
      {hits.length > 0 ? (
        <>
          <p role="status" className="count">
            {hits.length} {hits.length === 1 ? "passage" : "passages"} shown{search.hasNextPage ? ", more available" : ""}
          </p>
          <ol className="hits">
            {hits.map((h) => (
              <li key={`${h.document_id}:${h.seq}`}>
                <h2>
                  <Link to={`/documents/${h.document_id}`}>{h.title}</Link>
                </h2>
                <Snippet snippet={h.snippet} />
                <p className="meta">Passage {h.seq + 1}</p>
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
