// The services' kafkajs client: its log lines (warnings and errors only) go through the service's logger, and
// kafkajs' negative-timer warning is silenced (warnings.ts).
import { Kafka, logLevel as kafkaLogLevel, type LogEntry } from 'kafkajs';
import type { Logger } from './log.ts';
import { quietKafkajsTimerWarning } from './warnings.ts';

export function createKafka(clientId: string, brokers: string[], log: Logger): Kafka {
  quietKafkajsTimerWarning();
  return new Kafka({
    clientId,
    brokers,
    logLevel: kafkaLogLevel.WARN,
    logCreator: () => (entry: LogEntry) =>
      log[entry.level <= kafkaLogLevel.ERROR ? 'error' : 'warn'](entry.log.message, { kafka: entry.namespace }),
  });
}
