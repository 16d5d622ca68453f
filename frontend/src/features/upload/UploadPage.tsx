import { useCallback, useState, type DragEvent } from "react";
import { Link } from "react-router";
import { ApiError, ingestApi, unwrap, type UploadTicket } from "../../api/client";
import { formatBytes } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { contentTypeFor } from "./contentType";
import { putFile } from "./putFile";

type Phase = "waiting" | "uploading" | "done" | "failed";

interface Item {
  key: number;
  file: File;
  phase: Phase;
  progress: number;
  jobId?: string;
  error?: unknown;
}

let nextKey = 1;

export function UploadPage() {
  const [items, setItems] = useState<Item[]>([]);
  const [dragging, setDragging] = useState(false);

  const update = useCallback((key: number, patch: Partial<Item>) => {
    setItems((all) => all.map((it) => (it.key === key ? { ...it, ...patch } : it)));
  }, []);

  const upload = useCallback(
    async (key: number, file: File) => {
      update(key, { phase: "uploading", progress: 0, error: undefined });
      try {
        const ticket = await unwrap<UploadTicket>(
          ingestApi.POST("/uploads", {
            body: { filename: file.name, content_type: contentTypeFor(file.name), size: file.size },
          }),
        );
        update(key, { jobId: ticket.job_id });
        await putFile(ticket, file, (progress) => update(key, { progress }));
        update(key, { phase: "done", progress: 1 });
      } catch (error) {
        update(key, {
          phase: "failed",
          error:
            error instanceof ApiError
              ? error
              : new ApiError(0, "Upload failed", error instanceof Error ? error.message : String(error), "none"),
        });
      }
    },
    [update],
  );

  function add(files: FileList | null) {
    if (!files) return;
    const added = Array.from(files).map((file) => ({ key: nextKey++, file, phase: "waiting" as Phase, progress: 0 }));
    setItems((all) => [...added, ...all]);
    for (const it of added) void upload(it.key, it.file);
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    add(e.dataTransfer.files);
  }

  return (
    <section>
      <h1>Upload</h1>
      <p>
        Text (<code>.txt</code>, <code>.md</code>, <code>.log</code>) becomes one document per file; NDJSON (
        <code>.jsonl</code>, <code>.ndjson</code>) one per line <code>{'{"title", "text"}'}</code>. Each file gets its
        own ingestion job.
      </p>
      <div
        className={dragging ? "dropzone dragging" : "dropzone"}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop files here, or</p>
        {/* The input stays in the tab order (visually hidden); its label shows its focus. */}
        <input
          id="files"
          type="file"
          multiple
          className="visually-hidden"
          accept=".txt,.md,.log,.jsonl,.ndjson"
          onChange={(e) => {
            add(e.target.files);
            e.target.value = "";
          }}
        />
        <label htmlFor="files" className="button">
          Choose files
        </label>
      </div>
      {items.length > 0 ? (
        <ul className="uploads" aria-label="Uploads">
          {items.map((it) => (
            <li key={it.key} aria-label={it.file.name}>
              <div className="row spread">
                <strong>{it.file.name}</strong>
                <span>{formatBytes(it.file.size)}</span>
              </div>
              <progress
                max={1}
                value={it.progress}
                aria-label={`Upload progress of ${it.file.name}`}
                aria-valuetext={`${Math.round(it.progress * 100)}%`}
              />
              <p className="upload-state">
                {it.phase === "waiting" ? "Waiting…" : null}
                {it.phase === "uploading" ? `Uploading… ${Math.round(it.progress * 100)}%` : null}
                {it.phase === "done" && it.jobId ? (
                  <>
                    Uploaded. <Link to={`/jobs/${it.jobId}`}>Follow its ingestion job</Link>
                  </>
                ) : null}
              </p>
              {it.phase === "failed" ? (
                <>
                  <ProblemAlert error={it.error} />
                  <button type="button" onClick={() => void upload(it.key, it.file)}>
                    Retry {it.file.name}
                  </button>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
