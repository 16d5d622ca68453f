import { ApiError } from "../api/client";

/** Shows a failed call: the problem's title and detail, and the request id to quote. */
export function ProblemAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const e =
    error instanceof ApiError
      ? error
      : new ApiError(0, "Something went wrong", error instanceof Error ? error.message : String(error), "none");
  return (
    <div role="alert" className="problem">
      <p className="problem-title">{e.title}</p>
      <p>{e.detail}</p>
      <p className="problem-id">
        Request id: <code>{e.requestId}</code>
        {e.status ? ` (HTTP ${e.status})` : null}
      </p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
