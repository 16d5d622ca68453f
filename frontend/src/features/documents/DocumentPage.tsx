import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { documentsApi, unwrap, type DocumentView } from "../../api/client";
import { formatBytes, formatTime } from "../../components/format";
import { Loading } from "../../components/Loading";
import { ProblemAlert } from "../../components/ProblemAlert";
import { DocumentText } from "./DocumentText";

export function DocumentPage() {
  const { id = "" } = useParams();
  const doc = useQuery({
    queryKey: ["document", id],
    queryFn: () => unwrap<DocumentView>(documentsApi.GET("/documents/{id}", { params: { path: { id } } })),
  });
  if (doc.isPending) return <Loading />;
  if (doc.isError)
    return (
      <section>
        <h1>Document</h1>
        <ProblemAlert error={doc.error} onRetry={() => void doc.refetch()} />
      </section>
    );
  const d = doc.data;
  return (
    <article>
      <h1>{d.title}</h1>
      <dl className="meta-grid">
        <dt>Source</dt>
        <dd>{d.source}</dd>
        <dt>Type</dt>
        <dd>{d.content_type}</dd>
        <dt>Size</dt>
        <dd>
          {formatBytes(d.byte_size)} in {d.passage_count} {d.passage_count === 1 ? "passage" : "passages"}
        </dd>
        <dt>Stored</dt>
        <dd>{formatTime(d.created_at)}</dd>
        {d.job_id ? (
          <>
            <dt>Ingestion job</dt>
            <dd>
              <Link to={`/jobs/${d.job_id}`}>{d.job_id}</Link>
            </dd>
          </>
        ) : null}
      </dl>
      <DeleteDocument id={d.id} title={d.title} />
      <DocumentText id={d.id} />
    </article>
  );
}

function DeleteDocument({ id, title }: { id: string; title: string }) {
  const [confirming, setConfirming] = useState(false);
  const navigate = useNavigate();
  const client = useQueryClient();
  const del = useMutation({
    mutationFn: () => unwrap(documentsApi.DELETE("/documents/{id}", { params: { path: { id } } })),
    onSuccess: async () => {
      client.removeQueries({ queryKey: ["document", id] });
      await client.invalidateQueries({ queryKey: ["search"] });
      void navigate("/", { replace: true, state: { deleted: title } });
    },
  });
  return (
    <div className="danger-zone">
      {!confirming ? (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete…
        </button>
      ) : (
        <div role="group" aria-labelledby="confirm-delete">
          <p id="confirm-delete">Delete “{title}” and all its passages? This cannot be undone.</p>
          <button type="button" className="danger" onClick={() => del.mutate()} disabled={del.isPending}>
            Yes, delete it
          </button>{" "}
          <button type="button" onClick={() => setConfirming(false)} autoFocus>
            Cancel
          </button>
        </div>
      )}
      {del.isError ? <ProblemAlert error={del.error} /> : null}
    </div>
  );
}
