import type { JobView } from "../../api/client";
import { isFinal } from "./status";
import { POLL_MS, pollInterval } from "./useJobs";

const job = (status: JobView["status"]): JobView => ({
  id: "j",
  status,
  bucket: "b",
  prefix: "p/",
  files_total: 1,
  files_done: 0,
  files_failed: 0,
  files_skipped: 0,
  documents: 0,
  bytes: 0,
  errors: [],
  created_at: "2026-11-24T00:00:00Z",
});

describe("job polling", () => {
  it("polls until the job is final, then stops", () => {
    expect(pollInterval(undefined)).toBe(POLL_MS);
    expect(pollInterval(job("queued"))).toBe(POLL_MS);
    expect(pollInterval(job("running"))).toBe(POLL_MS);
    for (const s of ["completed", "completed_with_errors", "failed"] as const) {
      expect(isFinal(s)).toBe(true);
      expect(pollInterval(job(s))).toBe(false);
    }
  });
});
