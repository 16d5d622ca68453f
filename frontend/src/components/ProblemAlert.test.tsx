import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiError, toApiError } from "../api/client";
import { ProblemAlert } from "./ProblemAlert";

describe("ProblemAlert", () => {
  it("shows the problem's title, detail and request id", () => {
    render(
      <ProblemAlert error={new ApiError(401, "Missing or invalid API key", "send a valid API key", "req-123")} />,
    );
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Missing or invalid API key");
    expect(alert).toHaveTextContent("send a valid API key");
    expect(alert).toHaveTextContent("req-123");
    expect(alert).toHaveTextContent("HTTP 401");
  });

  it("offers a retry when asked to", async () => {
    const retry = vi.fn();
    render(<ProblemAlert error={new Error("boom")} onRetry={retry} />);
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(retry).toHaveBeenCalledOnce();
  });

  it("reads problem+json, and falls back to the response's request id otherwise", () => {
    const headers = new Headers({ "x-request-id": "from-header" });
    const problem = toApiError(
      new Response(null, { status: 404, headers }),
      { type: "urn:x", title: "Not found", status: 404, detail: "no document", request_id: "from-body" },
      "sent",
    );
    expect(problem).toMatchObject({ status: 404, title: "Not found", detail: "no document", requestId: "from-body" });
    const bare = toApiError(new Response("<html>", { status: 502, statusText: "Bad Gateway", headers }), "<html>", "sent");
    expect(bare).toMatchObject({ status: 502, title: "HTTP 502", detail: "Bad Gateway", requestId: "from-header" });
  });
});
