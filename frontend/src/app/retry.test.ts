import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, parseRetryAfter, toApiError } from "../api/client";
import { makeQueryClient } from "./App";

// A search the service sheds under load is a 503 problem with `Retry-After` (issue 11,
// item 2): the app asks again when the service says, not sooner and not later.

const shed = { type: "about:blank", title: "Service Unavailable", status: 503, detail: "too many searches in progress; retry after 1 s" };

describe("Retry-After", () => {
  it("is read from a shed response into the error", () => {
    const response = new Response(JSON.stringify(shed), {
      status: 503,
      headers: { "content-type": "application/problem+json", "retry-after": "1" },
    });
    const error = toApiError(response, shed, "sent-id");
    expect(error.status).toBe(503);
    expect(error.retryAfterSeconds).toBe(1);
  });

  it("is absent when the response has none", () => {
    const response = new Response(null, { status: 502, statusText: "Bad Gateway" });
    expect(toApiError(response, undefined, "sent-id").retryAfterSeconds).toBeUndefined();
  });

  it("takes delta-seconds or an HTTP date, and ignores what it cannot read", () => {
    const now = Date.parse("2026-12-03T10:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Thu, 03 Dec 2026 10:00:05 GMT", now)).toBe(5);
    expect(parseRetryAfter("Thu, 03 Dec 2026 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-3", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("a query the service shed", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is asked again after Retry-After, not before", async () => {
    vi.useFakeTimers();
    const client = makeQueryClient();
    let calls = 0;
    const result = client.fetchQuery({
      queryKey: ["search", "whale"],
      queryFn: () => {
        calls += 1;
        if (calls === 1) {
          return Promise.reject(new ApiError(503, "Service Unavailable", "busy", "r1", 3));
        }
        return Promise.resolve("hits");
      },
    });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    await expect(result).resolves.toBe("hits");
  });

  it("without Retry-After backs off as before, and a 4xx is not asked again", async () => {
    vi.useFakeTimers();
    const client = makeQueryClient();
    let calls = 0;
    const failing = client.fetchQuery({
      queryKey: ["doc", "gone"],
      queryFn: () => {
        calls += 1;
        return Promise.reject(new ApiError(404, "Not Found", "no such document", "r2"));
      },
    });
    const settled = failing.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(1);
    expect(await settled).toBeInstanceOf(ApiError);

    let flaky = 0;
    const retried = client.fetchQuery({
      queryKey: ["doc", "flaky"],
      queryFn: () => {
        flaky += 1;
        if (flaky === 1) return Promise.reject(new ApiError(502, "HTTP 502", "Bad Gateway", "r3"));
        return Promise.resolve("doc");
      },
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(flaky).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(flaky).toBe(2);
    await expect(retried).resolves.toBe("doc");
  });
});
