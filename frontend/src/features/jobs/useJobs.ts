import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ingestApi, unwrap, type JobPage, type JobView } from "../../api/client";
import { isFinal } from "./status";

/** How often a job that is not final is polled. */
export const POLL_MS = 1000;

/** Live counts while a job runs; polling stops once the job is final. */
export function pollInterval(job: JobView | undefined): number | false {
  return job && isFinal(job.status) ? false : POLL_MS;
}

export function useJob(id: string) {
  return useQuery({
    queryKey: ["job", id],
    queryFn: () => unwrap<JobView>(ingestApi.GET("/jobs/{id}", { params: { path: { id } } })),
    refetchInterval: (query) => pollInterval(query.state.data),
  });
}

export function useJobList() {
  return useInfiniteQuery({
    queryKey: ["jobs"],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap<JobPage>(ingestApi.GET("/jobs", { params: { query: { limit: 20, cursor: pageParam } } })),
    getNextPageParam: (last) => last.next_cursor,
  });
}

export interface NewJob {
  bucket: string;
  prefix: string;
  callbackUrl: string;
}

export function useStartJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (job: NewJob) =>
      unwrap<JobView>(
        ingestApi.POST("/jobs", {
          params: {
            query: {
              bucket: job.bucket,
              prefix: job.prefix,
              ...(job.callbackUrl ? { callback_url: job.callbackUrl } : {}),
            },
          },
        }),
      ),
    onSuccess: async (job) => {
      client.setQueryData(["job", job.id], job);
      await client.invalidateQueries({ queryKey: ["jobs"] });
    },
  });
}
