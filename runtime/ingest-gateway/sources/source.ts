// What every source kind gives the gateway: readiness, back-pressure and a clean stop.
import type { EventDefinition, Logger } from '../../service-kit/index.ts';
import type { Ingest } from '../ingest.ts';

export interface RunningSource {
  ready(): boolean;
  /** Kafka is behind: stop taking input until resume(). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  /** The source's own counters, shown under sources.<kind> of the gateway's /metrics. */
  metrics?(): unknown;
}

export interface SourceDeps {
  ingest: Ingest;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** Resolves once every record queued so far is acknowledged by Kafka. */
  flushed(): Promise<void>;
}

/** The events of one source kind, by name. */
export type SourceEvents = [name: string, event: EventDefinition][];

export type SourceStarter = (events: SourceEvents, deps: SourceDeps) => Promise<RunningSource>;

/** Expands ${VAR} from the environment; a missing variable is an error naming it. */
export function expandEnv(text: string, env: NodeJS.ProcessEnv, where: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`${where} uses \${${name}}, which is not set; add ${name} to .env`);
    return value;
  });
}
