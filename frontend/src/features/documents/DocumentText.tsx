import { useState } from "react";
import { formatBytes } from "../../components/format";
import { Loading } from "../../components/Loading";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useDocumentText } from "./useDocumentText";

/** Characters rendered at once; "Show more" adds another window. */
export const WINDOW = 200_000;

/**
 * The exact original text, windowed: however large the document, the page holds at most
 * a few windows of text in the DOM until the reader asks for more.
 */
export function DocumentText({ id }: { id: string }) {
  const { text, done, error } = useDocumentText(id);
  const [shown, setShown] = useState(WINDOW);
  const visible = text.length > shown ? text.slice(0, shown) : text;
  return (
    <section aria-labelledby="text-heading">
      <h2 id="text-heading">Text</h2>
      {error ? <ProblemAlert error={error} /> : null}
      {!done && !error ? <Loading label={`Loading the text… ${formatBytes(text.length)} so far`} /> : null}
      <pre className="text" tabIndex={0} aria-label="Document text">
        {visible}
      </pre>
      {text.length > shown ? (
        <p>
          Showing {formatBytes(shown)} of {done ? formatBytes(text.length) : "the text"}.{" "}
          <button type="button" onClick={() => setShown((n) => n + WINDOW)}>
            Show more
          </button>{" "}
          <button type="button" onClick={() => setShown(text.length)}>
            Show all
          </button>
        </p>
      ) : null}
    </section>
  );
}
