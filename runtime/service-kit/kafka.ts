// The services' kafkajs client: its log lines (warnings and errors only) go through the service's logger, and its
// idle connections no longer wake the event loop every millisecond (kafkajs-idle-timer.ts).
import { Kafka, logLevel as kafkaLogLevel, type LogEntry } from 'kafkajs';
import type { Logger } from './log.ts';
import { fixKafkajsIdleTimer } from './kafkajs-idle-timer.ts';

export function createKafka(clientId: string, brokers: string[], log: Logger): Kafka {
  fixKafkajsIdleTimer();
  return new Kafka({
    clientId,
    brokers,
    logLevel: kafkaLogLevel.WARN,
    logCreator: () => (entry: LogEntry) =>
      log[entry.level <= kafkaLogLevel.ERROR ? 'error' : 'warn'](entry.log.message, { kafka: entry.namespace }),
  });
}
