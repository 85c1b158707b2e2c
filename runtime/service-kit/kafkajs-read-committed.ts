// kafkajs 2.2 (no longer maintained) reads `read_committed` (its default) but hides an aborted transaction's
// records correctly only when the fetched range starts no more than one aborted transaction into the
// partition: per record it steps at most one aborted transaction forward, in the order the broker listed them.
// When a Flink job with parallelism above one crashes, its subtasks' transactions interleave in one partition;
// a fetch that starts inside several of them (a consumer that was caught up) then shows the first records of all
// but one, which the job re-writes once restored: duplicates no Java reader sees.
//
// Importing this module (service-kit does, first) makes kafkajs filter as the Java client does: every aborted
// transaction that starts at or before a record applies to it, until its producer's abort marker. kafkajs
// binds the filter when it loads its consumer, so this must run before anything imports kafkajs;
// kafkajsReadsCommitted() says whether it did.
import { createRequire } from 'node:module';

interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string | number; inTransaction: boolean };
}

interface AbortedTransaction {
  producerId: string | number;
  firstOffset: string;
}

const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]); // control record key: version 0, type 0 (abort)

const isAbortMarker = (record: FetchedRecord): boolean => record.isControlRecord === true && record.key !== null && ABORT_MARKER_KEY.equals(Buffer.from(record.key));

/** The fetched records (control records included) without those of the aborted transactions the broker listed. */
export function withoutAbortedRecords<T extends FetchedRecord>({ messages, abortedTransactions }: { messages: T[]; abortedTransactions?: AbortedTransaction[] }): T[] {
  if (!abortedTransactions?.length) return messages;
  const upcoming = [...abortedTransactions].sort((a, b) => (BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : 1));
  const aborting = new Set<string>();
  return messages.filter((record) => {
    const offset = BigInt(record.offset);
    while (upcoming.length > 0 && BigInt(upcoming[0]!.firstOffset) <= offset) aborting.add(String(upcoming.shift()!.producerId));
    const producer = String(record.batchContext.producerId);
    if (isAbortMarker(record)) {
      aborting.delete(producer);
      return true;
    }
    return !(record.batchContext.inTransaction && !record.isControlRecord && aborting.has(producer));
  });
}

function install(): boolean {
  const require = createRequire(import.meta.url);
  const filterPath = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
  // by name: a module runner that evaluates this module again (vitest, per test file) finds its earlier copy
  if ((require.cache[filterPath]?.exports as { name?: string } | undefined)?.name === withoutAbortedRecords.name) return true;
  if (require.cache[require.resolve('kafkajs/src/consumer/batch.js')]) return false; // already bound the original
  require(filterPath);
  require.cache[filterPath]!.exports = withoutAbortedRecords;
  return true;
}

const installed = install();

/** Whether kafkajs (as this package resolves it) hides aborted transactions with withoutAbortedRecords. */
export function kafkajsReadsCommitted(): boolean {
  return installed;
}
