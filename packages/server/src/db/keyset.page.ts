/**
 * Keyset pagination (ADR 0016). A list asks its repository for one row more than the page holds
 * ({@link rowsToFetch}); {@link pageOf} cuts the page and, when that extra row came back, names the
 * next page after the page's last item.
 */

/** How many rows to read for a page of `limit` items (undefined: the whole list). */
export function rowsToFetch(limit: number | undefined): number | undefined {
  return limit === undefined ? undefined : limit + 1;
}

/** The page of `rows` (read with {@link rowsToFetch}) and the cursor of the next one, if any. */
export function pageOf<T>(
  rows: readonly T[],
  limit: number | undefined,
  cursorOf: (last: T) => string,
): { items: T[]; nextCursor: string | null } {
  if (limit === undefined || rows.length <= limit) return { items: [...rows], nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: cursorOf(items[items.length - 1]!) };
}
