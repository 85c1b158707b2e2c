import type { NativeContext } from './context.ts';

/** One engine or service of the native stack. */
export interface NativeComponent {
  name: string;
  /** System commands it needs, with the package that provides them (for the one-line message). */
  prerequisites: { command: string; install: string }[];
  enabled(ctx: NativeContext): boolean;
  /** Named ports to allocate for it. */
  ports(ctx: NativeContext): string[];
  /** Downloads or builds into the cache; idempotent. */
  install?(ctx: NativeContext): Promise<void>;
  /** Starts its process(es) and returns their pids. */
  start(ctx: NativeContext): Promise<number[]>;
  /** Resolves once it serves requests; throws after its deadline. */
  ready(ctx: NativeContext): Promise<void>;
  /** One-off work after it is ready (schemas, topics). */
  afterStart?(ctx: NativeContext): Promise<void>;
  /** Addresses the e2e tests and other components read (KAFKA_BROKERS, POSTGRES_PORT …). */
  addresses(ctx: NativeContext): Record<string, string>;
}
