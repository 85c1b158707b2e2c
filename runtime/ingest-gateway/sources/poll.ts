// HTTP poll source: each polled event has its own poller of its feed URL (conditional GET, gzip); a changed
// body is one payload for the event's decoder (a GTFS-RT feed → one record per vehicle). A body identical
// to the previous one is skipped, for servers without ETag / Last-Modified. The next poll waits until
// Kafka acknowledged the previous payload's records.
import { createHash } from 'node:crypto';
import { HttpPoller } from './http-poll.ts';
import { expandEnv, type SourceStarter } from './source.ts';

export const startPollSource: SourceStarter = async (events, { ingest, log, env, flushed }) => {
  let resumed: Promise<void> | undefined;
  let release: (() => void) | undefined;
  const pollers = events.flatMap(([name, event]) => {
    if (!('poll' in event.source)) return [];
    const poll = event.source.poll;
    const where = `events.${name}.source.poll`;
    const url = expandEnv(poll.url, env, `${where}.url`);
    const headers = Object.fromEntries(Object.entries(poll.headers).map(([k, v]) => [k, expandEnv(v, env, `${where}.headers.${k}`)]));
    let lastDigest = '';
    const poller = new HttpPoller(
      { url, intervalMs: poll.intervalSeconds * 1000, timeoutMs: poll.timeoutSeconds * 1000, headers },
      async (payload) => {
        const digest = createHash('sha256').update(payload).digest('hex');
        if (digest === lastDigest) return;
        lastDigest = digest;
        await resumed;
        ingest.accept({ event: name, source: 'poll', origin: poll.url, payload, context: {}, receivedAt: Date.now() });
        await flushed();
      },
      (error) => log.warn('poll failed', { event: name, url: poll.url, error: error.message }),
    );
    return [poller];
  });
  for (const poller of pollers) poller.start();
  return {
    ready: () => true,
    pause: () => {
      resumed ??= new Promise<void>((resolve) => (release = resolve));
    },
    resume: () => {
      release?.();
      resumed = release = undefined;
    },
    stop: async () => {
      release?.();
      await Promise.all(pollers.map((p) => p.stop()));
    },
  };
};
