import { render, screen } from "@testing-library/react";
import { Snippet } from "./Snippet";
import { parseSnippet } from "./snippet";

describe("search snippets", () => {
  it("splits marks from text and unescapes entities", () => {
    expect(parseSnippet("a &lt;b&gt; &amp; <mark>whale</mark> &quot;x&#39;")).toEqual([
      { text: "a <b> & ", mark: false },
      { text: "whale", mark: true },
      { text: ` "x'`, mark: false },
    ]);
  });

  it("renders matches as <mark> elements and never interprets the text as HTML", () => {
    const { container } = render(
      <Snippet snippet={"&lt;img src=x onerror=alert(1)&gt; blue <mark>whales</mark> sing"} />,
    );
    const marks = container.querySelectorAll("mark");
    expect(marks).toHaveLength(1);
    expect(marks[0]).toHaveTextContent("whales");
    expect(container.querySelector("img")).toBeNull();
    expect(screen.getByText("<img src=x onerror=alert(1)> blue", { exact: false })).toBeInTheDocument();
  });

  it("keeps a literal <mark> typed by an author as text", () => {
    const { container } = render(<Snippet snippet={"&lt;mark&gt;not a match&lt;/mark&gt;"} />);
    expect(container.querySelectorAll("mark")).toHaveLength(0);
    expect(container).toHaveTextContent("<mark>not a match</mark>");
  });
});
