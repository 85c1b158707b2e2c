// kafkajs 2.2.4 (no longer maintained) arms a re-check timer on every broker connection whenever none is armed
// (RequestQueue.scheduleCheckPendingRequests), even with no request waiting: its delay is the end of the last broker
// throttle minus now, negative once that has passed (or when none came), which Node turns into 1 ms; the check then
// arms it again. Every connection of an idle client so wakes the event loop about a thousand times a second: 1.6 % of
// a core per idle service on the native stack, and Node 24 prints a TimeoutNegativeWarning per timer.
//
// fixKafkajsIdleTimer() arms the timer only while a request waits: until the throttle ends, or in kafkajs's own
// 10 ms poll otherwise. A request that cannot go out at once is queued and arms it; a response checks the queue itself.
import { createRequire } from 'node:module';

const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10; // kafkajs's CHECK_PENDING_REQUESTS_INTERVAL

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

export function scheduleCheckWhileRequestsWait(this: RequestQueue): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const throttledForMs = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, throttledForMs > 0 ? throttledForMs : CHECK_PENDING_REQUESTS_INTERVAL_MS);
}

/** Replaces kafkajs's RequestQueue.scheduleCheckPendingRequests (as this package resolves kafkajs); idempotent. */
export function fixKafkajsIdleTimer(): void {
  const require = createRequire(import.meta.url);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueue };
  // by name: a module runner that evaluates this module again (vitest, per test file) finds its earlier copy
  if (RequestQueue.prototype.scheduleCheckPendingRequests.name === scheduleCheckWhileRequestsWait.name) return;
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckWhileRequestsWait;
}
