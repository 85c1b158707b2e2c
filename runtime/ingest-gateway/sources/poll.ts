// HTTP poll source: each polled event has its own poller of its feed URL (conditional GET, gzip); a changed
// body is one payload for the event's decoder (a GTFS-RT feed → one record per vehicle). A body identical
// to the previous one is skipped, for servers without ETag / Last-Modified; a body that does not gunzip is
// dead-lettered (once, however often it is served). Polls are pipelined one deep: the next feed is fetched and
// decoded while Kafka acknowledges the previous payload's records, and is queued only once they are; a GTFS-RT
// gate's state is queued after the records of the payload it came from (ingest.ts), so the state never runs ahead
// of the records (a crash republishes, never loses).
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
    let acknowledged: Promise<void> = Promise.resolve();
    const counts = { unchangedBodies: 0, deadLettered: 0 };
    const repeated = (body: Uint8Array) => {
      const digest = createHash('sha256').update(body).digest('hex');
      if (digest === lastDigest) counts.unchangedBodies++;
      const same = digest === lastDigest;
      lastDigest = digest;
      return same;
    };
    const poller = new HttpPoller(
      {
        url,
        intervalMs: poll.intervalSeconds * 1000,
        timeoutMs: poll.timeoutSeconds * 1000,
        headers,
        onUndecodable: async (body, reason) => {
          if (repeated(body)) return;
          await resumed;
          ingest.rejectPayload({ event: name, source: 'poll', origin: poll.url, payload: body, context: {}, receivedAt: Date.now() }, reason);
          counts.deadLettered++;
          log.warn('poll payload dead-lettered', { event: name, url: poll.url, reason });
          await flushed();
        },
      },
      async (payload) => {
        if (repeated(payload)) return;
        await resumed;
        await acknowledged; // the previous payload's records (this one was fetched meanwhile)
        const receivedAt = Date.now();
        const { rejected } = ingest.accept({ event: name, source: 'poll', origin: poll.url, payload, context: {}, receivedAt });
        const changes = ingest.takeStateChanges(name);
        if (rejected.length > 0) {
          counts.deadLettered += rejected.length;
          log.warn('poll payload dead-lettered', { event: name, url: poll.url, reason: rejected[0], records: rejected.length });
        }
        acknowledged = flushed().then(() => ingest.queueState(name, changes));
      },
      (error) => log.warn('poll failed', { event: name, url: poll.url, error: error.message }),
    );
    return [{ name, poller, counts, settled: () => acknowledged }];
  });
  for (const { poller } of pollers) poller.start();
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
      await Promise.all(pollers.map(async (p) => {
        await p.poller.stop();
        await p.settled(); // the last payload's state queued behind its records
      }));
    },
    metrics: () => Object.fromEntries(pollers.map(({ name, poller, counts }) => [name, { ...poller.stats, ...counts }])),
  };
};
