import { parseSnippet } from "./snippet";

export function Snippet({ snippet }: { snippet: string }) {
  return (
    <p className="snippet">
      {parseSnippet(snippet).map((s, i) => (s.mark ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}
    </p>
  );
}
