import { useEffect, useState } from "react";
import { ApiError, documentsApi, toApiError } from "../../api/client";

export interface TextState {
  text: string;
  done: boolean;
  error: ApiError | null;
}

/**
 * Streams `/documents/{id}/text`: the text grows as chunks arrive (state is updated at
 * most every 100 ms, so a multi-megabyte document never floods React with renders).
 */
export function useDocumentText(id: string): TextState {
  // The state of the document last streamed; another id starts from empty.
  const [state, setState] = useState<TextState & { id: string }>({ id, text: "", done: false, error: null });
  useEffect(() => {
    const abort = new AbortController();
    let cancelled = false;
    void (async () => {
      try {
        const { response } = await documentsApi.GET("/documents/{id}/text", {
          params: { path: { id } },
          parseAs: "stream",
          signal: abort.signal,
        });
        if (!response.ok || !response.body) {
          const body: unknown = await response.json().catch(() => undefined);
          throw toApiError(response, body, "unknown");
        }
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        const parts: string[] = [];
        let last = 0;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parts.push(value);
          const now = performance.now();
          if (now - last > 100 && !cancelled) {
            last = now;
            setState({ id, text: parts.join(""), done: false, error: null });
          }
        }
        if (!cancelled) setState({ id, text: parts.join(""), done: true, error: null });
      } catch (err) {
        if (cancelled) return;
        const error =
          err instanceof ApiError
            ? err
            : new ApiError(0, "The text could not be read", err instanceof Error ? err.message : String(err), "none");
        setState((s) => ({ ...(s.id === id ? s : { text: "" }), id, done: true, error }));
      }
    })();
    return () => {
      cancelled = true;
      abort.abort();
    };
  }, [id]);
  return state.id === id ? state : { text: "", done: false, error: null };
}
