// Late records (events.<name>.lateness): the newest time seen per record key; a record more than allowedMs behind
// it is late and goes to the dead-letter topic. Times are whole nanoseconds (seconds·1e9 + nanoseconds, as bigint:
// epoch nanoseconds exceed a double's exact integers). Kept in memory: after a restart, a key's first record sets
// its newest time again.
import type { EventDefinition } from '../service-kit/manifest.ts';

type Rule = NonNullable<EventDefinition['lateness']>;

const NS_PER_S = 1_000_000_000n;

export class LatenessGate {
  readonly #rule: Rule;
  readonly #allowedNs: bigint;
  readonly #newest = new Map<string, bigint>();

  constructor(rule: Rule) {
    this.#rule = rule;
    this.#allowedNs = BigInt(rule.allowedMs) * 1_000_000n;
  }

  /** Undefined when the record is on time (its time is then remembered), else why it is late. */
  check(key: string, record: Record<string, unknown>): string | undefined {
    const { seconds, nanoseconds } = this.#rule;
    const ns = BigInt(record[seconds] as number) * NS_PER_S + (nanoseconds === undefined ? 0n : BigInt(record[nanoseconds] as number));
    const newest = this.#newest.get(key);
    if (newest !== undefined && newest - ns > this.#allowedNs) {
      return `late: its time ${ns} ns is ${newest - ns} ns behind the newest of key ${key} (${newest} ns), beyond the allowed ${this.#rule.allowedMs} ms`;
    }
    if (newest === undefined || ns > newest) this.#newest.set(key, ns);
    return undefined;
  }
}
