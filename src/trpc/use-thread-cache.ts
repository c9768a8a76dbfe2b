"use client";

import { useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { getQueryKey } from "@trpc/react-query";
import { useCallback, useMemo } from "react";
import { api } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/router-types";

export type ThreadPage = RouterOutputs["threads"]["list"];
export type ThreadRow = ThreadPage["data"][number];
export type ThreadDetail = RouterOutputs["threads"]["get"];
export type ThreadStep = ThreadDetail["steps"][number];
export type ThreadElement = ThreadDetail["elements"][number];

/**
 * Edits every cached thread list at once (each search and filter is its own infinite query), so a rename or a delete
 * shows everywhere without refetching pages the user already scrolled through.
 */
export function useThreadCache() {
  const queryClient = useQueryClient();
  const utils = api.useUtils();

  const updateLists = useCallback(
    (map: (rows: ThreadRow[]) => ThreadRow[]) => {
      // Search results (search.query) are pages of rows too: a rename or a delete shows there at once as well.
      const keys = [getQueryKey(api.threads.list), getQueryKey(api.search.query)];
      const previous = keys.flatMap((queryKey) => queryClient.getQueriesData<InfiniteData<ThreadPage>>({ queryKey }));
      for (const queryKey of keys) {
        queryClient.setQueriesData<InfiniteData<ThreadPage>>({ queryKey }, (data) =>
          data?.pages ? { ...data, pages: data.pages.map((page) => ({ ...page, data: map(page.data) })) } : data,
        );
      }
      return () => previous.forEach(([key, data]) => queryClient.setQueryData(key, data));
    },
    [queryClient],
  );

  return useMemo(
    () => ({
      /** Returns an undo for a failed mutation. */
      renameInLists: (threadId: string, name: string) => {
        const undoLists = updateLists((rows) => rows.map((row) => (row.id === threadId ? { ...row, name } : row)));
        const before = utils.threads.get.getData({ threadId });
        const pinnedBefore = utils.threads.pinned.getData();
        utils.threads.get.setData({ threadId }, (data) => (data ? { ...data, name } : data));
        utils.threads.pinned.setData(undefined, (rows) => rows?.map((row) => (row.id === threadId ? { ...row, name } : row)));
        return () => {
          undoLists();
          if (before) utils.threads.get.setData({ threadId }, before);
          if (pinnedBefore) utils.threads.pinned.setData(undefined, pinnedBefore);
        };
      },
      /** The thread's tags as the header shows them (threads.get); returns an undo for a failed mutation. */
      setTags: (threadId: string, tags: string[]) => {
        const before = utils.threads.get.getData({ threadId });
        utils.threads.get.setData({ threadId }, (data) => (data ? { ...data, tags } : data));
        return () => {
          if (before) utils.threads.get.setData({ threadId }, before);
        };
      },
      /** Lists filtered by a tag change when a thread's tags do; the others do not. */
      invalidateTagLists: () =>
        queryClient.invalidateQueries({
          queryKey: getQueryKey(api.threads.list),
          predicate: (query) => Boolean((query.queryKey[1] as { input?: { tag?: unknown } } | undefined)?.input?.tag),
        }),
      /** A deleted thread leaves every list, the Pinned section's too (its pin went with it: docs/data-layer.md). */
      removeFromLists: (threadId: string) => {
        utils.threads.pinned.setData(undefined, (rows) => rows?.filter((row) => row.id !== threadId));
        return updateLists((rows) => rows.filter((row) => row.id !== threadId));
      },
      /** Lists filtered by feedback change when a thumb does; the unfiltered ones do not. */
      invalidateFeedbackLists: () =>
        queryClient.invalidateQueries({
          queryKey: getQueryKey(api.threads.list),
          predicate: (query) => {
            const input = (query.queryKey[1] as { input?: { feedback?: unknown } } | undefined)?.input;
            return input?.feedback !== undefined && input?.feedback !== null;
          },
        }),
      /** A renamed thread may enter or leave a search's results. */
      invalidateSearchLists: () =>
        Promise.all([
          queryClient.invalidateQueries({
            queryKey: getQueryKey(api.threads.list),
            predicate: (query) => Boolean((query.queryKey[1] as { input?: { search?: unknown } } | undefined)?.input?.search),
          }),
          queryClient.invalidateQueries({ queryKey: getQueryKey(api.search.query) }),
        ]),
    }),
    [updateLists, utils, queryClient],
  );
}
