import { useParams } from "react-router";
import { formatBytes, formatTime } from "../../components/format";
import { Loading } from "../../components/Loading";
import { ProblemAlert } from "../../components/ProblemAlert";
import { isFinal, STATUS_LABEL } from "./status";
import { useJob } from "./useJobs";

export function JobPage() {
  const { id = "" } = useParams();
  const job = useJob(id);
  if (job.isPending) return <Loading />;
  if (job.isError)
    return (
      <section>
        <h1>Job</h1>
        <ProblemAlert error={job.error} onRetry={() => void job.refetch()} />
      </section>
    );
  const j = job.data;
  const handled = j.files_done + j.files_failed + j.files_skipped;
  const final = isFinal(j.status);
  return (
    <section>
      <h1>Job {j.id}</h1>
      <p className={`status status-${j.status}`} role="status" aria-live="polite">
        {STATUS_LABEL[j.status]}
        {final ? "" : ` — ${handled} of ${j.files_total} files handled (updating)`}
      </p>
      {j.files_total > 0 ? (
        <progress max={j.files_total} value={handled} aria-label="Files handled" />
      ) : null}
      <dl className="meta-grid">
        <dt>Source</dt>
        <dd>
          <code>
            s3://{j.bucket}/{j.prefix}
          </code>
        </dd>
        <dt>Files</dt>
        <dd>
          {j.files_total} in all: {j.files_done} ingested, {j.files_skipped} already stored, {j.files_failed} failed
        </dd>
        <dt>Documents created</dt>
        <dd>{j.documents}</dd>
        <dt>Bytes read</dt>
        <dd>{formatBytes(j.bytes)}</dd>
        <dt>Created</dt>
        <dd>{formatTime(j.created_at)}</dd>
        <dt>Finished</dt>
        <dd>{j.finished_at ? formatTime(j.finished_at) : "not yet"}</dd>
        <dt>Callback</dt>
        <dd>
          {j.callback
            ? `${j.callback.url}: ${j.callback.status} after ${j.callback.attempts} ${j.callback.attempts === 1 ? "attempt" : "attempts"}`
            : "none"}
        </dd>
      </dl>
      {j.errors.length > 0 ? (
        <>
          <h2>Failed files</h2>
          <ul className="errors">
            {j.errors.map((e) => (
              <li key={e.key}>
                <code>{e.key}</code>: {e.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
