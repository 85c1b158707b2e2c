// Cursor pagination for list endpoints: ?limit=&cursor=, response {items, nextCursor}. The cursor is the
// opaque (base64url) sort key of the last item returned; the next page starts after it.
import { z } from 'zod';

export const MAX_LIMIT = 500;

export const paginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
  cursor: z.string().max(1024).optional(),
});
export type PaginationQuery = z.infer<typeof paginationQuery>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!cursor || encodeCursor(text) !== cursor) {
    throw Object.assign(new Error('cursor is not valid; pass the nextCursor of the previous page'), { statusCode: 400 });
  }
  return text;
}

/** One page of `items` ordered by `sortKey` (ascending string order; keys must be unique). */
export function paginate<T>(items: T[], sortKey: (item: T) => string, query: PaginationQuery): { items: T[]; nextCursor: string | null } {
  const keyed = items.map((item) => ({ key: sortKey(item), item })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const rest = after === undefined ? keyed : keyed.filter((k) => k.key > after);
  const page = rest.slice(0, query.limit);
  const more = rest.length > query.limit;
  return { items: page.map((k) => k.item), nextCursor: more ? encodeCursor(page[page.length - 1]!.key) : null };
}
