import { useCallback, useEffect, useState } from 'react';
import { api, isUnavailable, queryString } from './api.client';
import { type Failure, failureOf } from './failure';
import type { Page } from './types';

/** A cursor-paginated list: the first page loads when the query changes, `more()` appends the next. */
export function usePaged<T>(path: string, query: Record<string, string | undefined>, limit: number) {
  const key = JSON.stringify(query);
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [loading, setLoading] = useState(true);

  const load = useCallback(
    async (from: string | null) => {
      setLoading(true);
      try {
        const params = { ...(JSON.parse(key) as Record<string, string>), limit: String(limit) };
        const page = await api<Page<T>>('GET', `${path}${queryString({ ...params, cursor: from })}`);
        setItems((previous) => (from === null ? page.items : [...previous, ...page.items]));
        setCursor(page.nextCursor);
        setFailure(null);
        setUnavailable(false);
      } catch (error) {
        setUnavailable(isUnavailable(error));
        setFailure(failureOf(error));
      } finally {
        setLoading(false);
      }
    },
    [path, key, limit],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return {
    items,
    failure,
    unavailable,
    loading,
    hasMore: cursor !== null,
    more: () => load(cursor),
    reload: () => load(null),
  };
}
