// API-key authentication: which paths are public, and a constant-time key comparison.
import { createHash, timingSafeEqual } from 'node:crypto';

const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/docs']);

/** /healthz, /readyz and the OpenAPI docs (/docs, /docs/json, /docs/static/…) need no key. */
export function isPublicPath(url: string): boolean {
  const path = url.split('?')[0]!;
  return PUBLIC_PATHS.has(path) || path.startsWith('/docs/');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function apiKeyMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(digest(expected), digest(given));
}
