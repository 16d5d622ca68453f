import type { JobState } from "../../api/client";

export const FINAL: readonly JobState[] = ["completed", "completed_with_errors", "failed"];

export function isFinal(status: JobState): boolean {
  return FINAL.includes(status);
}

export const STATUS_LABEL: Record<JobState, string> = {
  queued: "Queued",
  running: "Running",
  completed: "Completed",
  completed_with_errors: "Completed with errors",
  failed: "Failed",
};
