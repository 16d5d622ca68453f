import { useInfiniteQuery } from "@tanstack/react-query";
import { documentsApi, unwrap, type SearchPage } from "../../api/client";
import type { FilterQuery } from "./filters";

export const PAGE_SIZE = 10;

/** Search hits for `q` narrowed by `filters`, a page at a time (cursor pagination). */
export function useSearch(q: string, filters: FilterQuery = {}) {
  return useInfiniteQuery({
    queryKey: ["search", q, filters],
    enabled: q.trim().length > 0,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap<SearchPage>(
        documentsApi.GET("/search", {
          params: { query: { q, limit: PAGE_SIZE, cursor: pageParam, ...filters } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor,
  });
}
