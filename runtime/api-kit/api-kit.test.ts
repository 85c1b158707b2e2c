import { describe, expect, it } from 'vitest';
import { apiKeyMatches, isPublicPath } from './auth.ts';
import { encodeCursor, paginate } from './pagination.ts';

describe('API kit helpers', () => {
  it('paginates by sort key with opaque cursors', () => {
    const items = ['d', 'a', 'c', 'b', 'e'];
    const first = paginate(items, (x) => x, { limit: 2 });
    expect(first).toEqual({ items: ['a', 'b'], nextCursor: encodeCursor('b') });
    const second = paginate(items, (x) => x, { limit: 2, cursor: first.nextCursor! });
    expect(second.items).toEqual(['c', 'd']);
    expect(paginate(items, (x) => x, { limit: 2, cursor: second.nextCursor! })).toEqual({ items: ['e'], nextCursor: null });
    expect(() => paginate(items, (x) => x, { limit: 2, cursor: '***' })).toThrow(/cursor is not valid/);
  });

  it('compares API keys and knows the public paths', () => {
    expect(apiKeyMatches('secret', 'secret')).toBe(true);
    expect(apiKeyMatches('secret', 'secreT')).toBe(false);
    expect(apiKeyMatches('secret', undefined)).toBe(false);
    expect(apiKeyMatches('secret', '')).toBe(false);
    expect(['/healthz', '/readyz?x=1', '/docs', '/docs/json'].every(isPublicPath)).toBe(true);
    expect(['/api/e/t/devices', '/docsx', '/healthz/x'].some(isPublicPath)).toBe(false);
  });
});
