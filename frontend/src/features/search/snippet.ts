// Search snippets arrive HTML-escaped with matches wrapped in <mark>…</mark> (see the
// documents API). They are never injected as HTML: this splits one into plain-text
// segments, which the page renders as text nodes and <mark> elements.
export interface Segment {
  text: string;
  mark: boolean;
}

const ENTITIES: Record<string, string> = {
  "&lt;": "<",
  "&gt;": ">",
  "&amp;": "&",
  "&quot;": '"',
  "&#39;": "'",
  "&#x27;": "'",
};

export function unescapeHtml(s: string): string {
  return s.replace(/&(?:lt|gt|amp|quot|#39|#x27);/g, (e) => ENTITIES[e] ?? e);
}

export function parseSnippet(snippet: string): Segment[] {
  const segments: Segment[] = [];
  let mark = false;
  for (const part of snippet.split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") mark = true;
    else if (part === "</mark>") mark = false;
    else if (part) segments.push({ text: unescapeHtml(part), mark });
  }
  return segments;
}
