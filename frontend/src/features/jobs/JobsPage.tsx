import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { formatTime } from "../../components/format";
import { Loading } from "../../components/Loading";
import { ProblemAlert } from "../../components/ProblemAlert";
import { STATUS_LABEL } from "./status";
import { useJobList, useStartJob } from "./useJobs";

export function JobsPage() {
  const jobs = useJobList();
  const items = jobs.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section>
      <h1>Jobs</h1>
      <StartJob />
      <h2>Recent jobs</h2>
      {jobs.isPending ? <Loading /> : null}
      {jobs.isError ? <ProblemAlert error={jobs.error} onRetry={() => void jobs.refetch()} /> : null}
      {jobs.isSuccess && items.length === 0 ? <p role="status">No jobs yet.</p> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Ingestion jobs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Files</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((j) => (
                <tr key={j.id}>
                  <td>
                    <Link to={`/jobs/${j.id}`}>
                      {j.bucket}/{j.prefix}
                    </Link>
                  </td>
                  <td>{STATUS_LABEL[j.status]}</td>
                  <td>
                    {j.files_done + j.files_failed + j.files_skipped}/{j.files_total}
                  </td>
                  <td>{formatTime(j.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {jobs.hasNextPage ? (
        <button type="button" onClick={() => void jobs.fetchNextPage()} disabled={jobs.isFetchingNextPage}>
          {jobs.isFetchingNextPage ? "Loading more…" : "More jobs"}
        </button>
      ) : null}
    </section>
  );
}

function StartJob() {
  const [bucket, setBucket] = useState("");
  const [prefix, setPrefix] = useState("");
  const [callbackUrl, setCallbackUrl] = useState("");
  const start = useStartJob();
  const navigate = useNavigate();

  function submit(e: FormEvent) {
    e.preventDefault();
    start.mutate(
      { bucket: bucket.trim(), prefix, callbackUrl: callbackUrl.trim() },
      { onSuccess: (job) => void navigate(`/jobs/${job.id}`) },
    );
  }

  return (
    <form onSubmit={submit} className="stack card" aria-labelledby="start-heading">
      <h2 id="start-heading">Start a job</h2>
      <p className="hint">Ingest every object under a prefix of a bucket the service may read.</p>
      <label htmlFor="bucket">Bucket</label>
      <input
        id="bucket"
        required
        minLength={3}
        maxLength={63}
        pattern="[a-z0-9][a-z0-9.\-]*[a-z0-9]"
        value={bucket}
        onChange={(e) => setBucket(e.target.value)}
        spellCheck={false}
      />
      <label htmlFor="prefix">Prefix</label>
      <input
        id="prefix"
        required
        maxLength={1024}
        value={prefix}
        onChange={(e) => setPrefix(e.target.value)}
        placeholder="reports/2026/"
        spellCheck={false}
      />
      <label htmlFor="callback">Callback URL (optional)</label>
      <input
        id="callback"
        type="url"
        maxLength={2048}
        value={callbackUrl}
        onChange={(e) => setCallbackUrl(e.target.value)}
        placeholder="https://example.com/hooks/corpus"
        aria-describedby="callback-help"
      />
      <p id="callback-help" className="hint">
        Called with the job when it ends, signed with the service's callback secret.
      </p>
      <div>
        <button type="submit" disabled={start.isPending}>
          {start.isPending ? "Starting…" : "Start job"}
        </button>
      </div>
      {start.isError ? <ProblemAlert error={start.error} /> : null}
    </form>
  );
}
