import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { FilterQuery } from "./filters";
import { ApiError } from "../../api/client";
import { SearchPage } from "./SearchPage";

// The page is tested as a user drives it; the data hook is replaced so the test sees what
// the page asks the API for.
const calls: { q: string; filters: FilterQuery }[] = [];
// What the next render's search is waiting on: a failed try being asked again.
const pending: { failureReason: unknown } = { failureReason: null };
vi.mock("./useSearch", () => ({
  PAGE_SIZE: 10,
  useSearch: (q: string, filters: FilterQuery = {}) => {
    calls.push({ q, filters });
    if (q === "retrying") {
      return { data: undefined, isPending: true, isSuccess: false, isError: false, failureReason: pending.failureReason };
    }
    const hits = q
      ? [{ document_id: "0192f0c4-8b1e-7c3a-9d2e-5f6a7b8c9d0e", title: "Whales", seq: 2, snippet: "a <mark>whale</mark>", rank: 0.5 }]
      : [];
    return {
      data: q ? { pages: [{ hits, estimated_total: 42 }] } : undefined,
      isPending: !q,
      isSuccess: Boolean(q),
      isError: false,
      hasNextPage: false,
      isFetchingNextPage: false,
      fetchNextPage: vi.fn(),
      refetch: vi.fn(),
    };
  },
}));

function Where() {
  const location = useLocation();
  return <code aria-label="url">{location.search}</code>;
}

function renderAt(url: string) {
  return render(
    <MemoryRouter initialEntries={[url]}>
      <Routes>
        <Route
          path="/"
          element={
            <>
              <SearchPage />
              <Where />
            </>
          }
        />
      </Routes>
    </MemoryRouter>,
  );
}

const url = () => screen.getByLabelText("url").textContent;

const JOB = "0192f0c4-8b1e-7c3a-9d2e-5f6a7b8c9d0e";

describe("search filters", () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it("come from the URL, fill the labelled controls and narrow the API call", () => {
    renderAt(`/?q=whale&source=s3%3A%2F%2Fbk%2Freports%2F&job=${JOB}&type=text%2Fplain&from=2026-01-01&before=2026-02-01&collapse=document`);
    expect(screen.getByLabelText("Source starts with")).toHaveValue("s3://bk/reports/");
    expect(screen.getByLabelText("Ingestion job id")).toHaveValue(JOB);
    expect(screen.getByLabelText("Content type")).toHaveValue("text/plain");
    expect(screen.getByLabelText("Created on or after")).toHaveValue("2026-01-01");
    expect(screen.getByLabelText("Created before")).toHaveValue("2026-02-01");
    expect(screen.getByLabelText("Best passage per document only")).toBeChecked();
    expect(calls.at(-1)).toEqual({
      q: "whale",
      filters: {
        source_prefix: "s3://bk/reports/",
        job_id: JOB,
        content_type: "text/plain",
        created_from: "2026-01-01T00:00:00Z",
        created_to: "2026-02-01T00:00:00Z",
        collapse: "document",
      },
    });
    const status = screen.getByRole("status");
    expect(status).toHaveTextContent("About 42 documents (5 filters)");
    const item = screen.getByRole("link", { name: "Whales" }).closest("li");
    expect(item).not.toBeNull();
    if (item) expect(within(item).getByText("Best passage: 3")).toBeInTheDocument();
  });

  it("are set with the keyboard and applied on submit, into the URL", async () => {
    const user = userEvent.setup();
    renderAt("/?q=whale");
    expect(calls.at(-1)).toEqual({ q: "whale", filters: {} });
    expect(screen.queryByRole("button", { name: "Clear filters" })).toBeNull();

    await user.click(screen.getByLabelText("Content type"));
    await user.keyboard("text/markdown");
    await user.tab(); // into "Created on or after"
    expect(screen.getByLabelText("Created on or after")).toHaveFocus();
    await user.type(screen.getByLabelText("Created on or after"), "2026-03-01");
    await user.click(screen.getByLabelText("Best passage per document only"));
    // Nothing is applied before the form is submitted.
    expect(url()).toBe("?q=whale");
    await user.click(screen.getByLabelText("Source starts with"));
    await user.keyboard("s3://bk/{Enter}");

    expect(url()).toBe(
      "?q=whale&source=s3%3A%2F%2Fbk%2F&type=text%2Fmarkdown&from=2026-03-01&collapse=document",
    );
    expect(calls.at(-1)).toEqual({
      q: "whale",
      filters: {
        source_prefix: "s3://bk/",
        content_type: "text/markdown",
        created_from: "2026-03-01T00:00:00Z",
        collapse: "document",
      },
    });

    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(url()).toBe("?q=whale");
    expect(screen.getByLabelText("Content type")).toHaveValue("");
    expect(calls.at(-1)).toEqual({ q: "whale", filters: {} });
    expect(screen.getByRole("status")).toHaveTextContent("About 42 passages; 1 shown");
  });

  it("ignores malformed dates in a shared link", () => {
    renderAt("/?q=whale&from=yesterday");
    expect(screen.getByLabelText("Created on or after")).toHaveValue("");
    expect(calls.at(-1)).toEqual({ q: "whale", filters: {} });
  });
});

describe("a search the service shed", () => {
  it("says it is trying again while it waits for Retry-After", () => {
    pending.failureReason = new ApiError(503, "Service Unavailable", "too many searches in progress", "r1", 1);
    renderAt("/?q=retrying");
    expect(screen.getByRole("status")).toHaveTextContent("Many searches are running; trying again in a moment…");
  });

  it("shows the plain progress for any other wait", () => {
    pending.failureReason = new ApiError(502, "HTTP 502", "Bad Gateway", "r2");
    renderAt("/?q=retrying");
    expect(screen.getByRole("status")).toHaveTextContent("Searching…");
  });
});
