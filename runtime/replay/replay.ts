// iot-replay from the command line to the exit code: check the whole log, connect, publish on schedule,
// report. Every failure is one line on stderr and exit code 1 (an interruption: 130).
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync, type MqttClient } from 'mqtt';
import { join } from 'node:path';
import { brokerSettings, type BrokerSettings } from '../mqtt-access/broker-settings.ts';
import { projectEnv } from '../service-kit/project-env.ts';
import { DeviceConnections } from '../mqtt-access/device-connections.ts';
import type { DeviceIdentity } from '../mqtt-access/identities.ts';
import { loadManifest } from '../service-kit/manifest.ts';
import { MessageLogError, parseMessageLog, type LoggedMessage } from './message-log.ts';
import { OrderedPublisher, PublishError } from './ordered-publisher.ts';
import { parseReplayArgs, UsageError, USAGE, type ReplayOptions } from './options.ts';
import { planLine, progressLine, summaryLine } from './report.ts';
import { dueAtMs } from './schedule.ts';
import { shiftIsoTimestamps, shiftOffsetMs } from './shift-timestamps.ts';

export interface ReplayIo {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when the user asks to stop (Ctrl-C): the replay ends after the messages already sent. */
  interrupted?: Promise<void>;
}

class ReplayFailure extends Error {}

export async function runReplay(argv: string[], io: ReplayIo): Promise<number> {
  try {
    const command = parseReplayArgs(argv);
    if (command.help) {
      io.stdout(USAGE);
      return 0;
    }
    const messages = readLog(command);
    const topics = new Set(messages.map((m) => m.topic)).size;
    const spanMs = messages.at(-1)!.tsMs - messages[0]!.tsMs;
    if (command.dryRun) {
      const offset = command.shiftToNow ? shiftOffsetMs(messages[0]!.tsMs, Date.now()) : undefined;
      io.stdout(`dry run: ${planLine(command.file, messages.length, topics, spanMs, command.speed, offset)}; nothing was published\n`);
      return 0;
    }
    const env = projectEnv(io.cwd, io.env);
    const broker = brokerSettings(env);
    const publisher = await connect(broker, env, io.cwd, messages, command.maxInflight);
    try {
      const startMs = Date.now();
      const offset = command.shiftToNow ? shiftOffsetMs(messages[0]!.tsMs, startMs) : undefined;
      io.stderr(`replay: ${planLine(command.file, messages.length, topics, spanMs, command.speed, offset)}; broker ${broker.url} ${publisher.as}\n`);
      const progress = setInterval(() => io.stderr(`${progressLine(publisher.acknowledged, messages.length, Date.now() - startMs)}\n`), 1000);
      let stopRequested = false;
      let stoppedAt: number | undefined;
      void io.interrupted?.then(() => {
        stopRequested = true;
      });
      try {
        for (const [index, message] of messages.entries()) {
          await waitUntil(dueAtMs(message.tsMs, messages[0]!.tsMs, startMs, command.speed), () => stopRequested);
          if (stopRequested) {
            stoppedAt = index;
            break;
          }
          const payload = offset !== undefined && typeof message.payload === 'string' ? shiftIsoTimestamps(message.payload, offset) : message.payload;
          await publisher.publish(message, payload);
        }
        await publisher.drain();
      } catch (error) {
        if (!(error instanceof PublishError)) throw error;
        throw new ReplayFailure(
          `${command.file}:${error.line}: ${error.message}; ${publisher.acknowledged} of ${messages.length} messages were acknowledged before the replay stopped`,
        );
      } finally {
        clearInterval(progress);
      }
      const elapsedMs = Date.now() - startMs;
      if (stoppedAt !== undefined) {
        io.stderr(`replay: interrupted; ${publisher.acknowledged} of ${messages.length} messages were published, the next was line ${messages[stoppedAt]!.line}\n`);
        return 130;
      }
      io.stdout(`${summaryLine(command.file, publisher.acknowledged, topics, elapsedMs)}\n`);
      return 0;
    } finally {
      await publisher.end().catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ReplayFailure) {
      io.stderr(`iot-replay: error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function readLog(options: ReplayOptions): LoggedMessage[] {
  let text: string;
  try {
    text = readFileSync(options.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : (error as Error).message;
    throw new ReplayFailure(`${options.file}: ${reason}; give the path of a .jsonl message log`);
  }
  try {
    return parseMessageLog(text, { requireTimeOrder: options.speed > 0 });
  } catch (error) {
    if (!(error instanceof MessageLogError)) throw error;
    const where = error.line === undefined ? options.file : `${options.file}:${error.line}`;
    throw new ReplayFailure(`${where}: ${error.message}; nothing was published`);
  }
}

/**
 * Publishes in file order: over one connection as MQTT_USERNAME when it is set, otherwise as the device that owns
 * each topic, one connection per device. Switching devices first waits for the previous device's
 * acknowledgements, since order holds only within one connection.
 */
class ReplayPublisher {
  readonly as: string;
  private readonly publishers: Map<string, OrderedPublisher>;
  private readonly owner: (message: LoggedMessage) => string;
  private readonly ends: (() => Promise<void>)[];
  private current: OrderedPublisher | undefined;

  constructor(as: string, publishers: Map<string, OrderedPublisher>, owner: (message: LoggedMessage) => string, ends: (() => Promise<void>)[]) {
    this.as = as;
    this.publishers = publishers;
    this.owner = owner;
    this.ends = ends;
  }

  get acknowledged(): number {
    return [...this.publishers.values()].reduce((sum, p) => sum + p.acknowledged, 0);
  }

  async publish(message: LoggedMessage, payload: string | Buffer): Promise<void> {
    const next = this.publishers.get(this.owner(message))!;
    if (this.current && this.current !== next) await this.current.drain();
    this.current = next;
    await next.publish(message, payload);
  }

  async drain(): Promise<void> {
    await this.current?.drain();
  }

  async end(): Promise<void> {
    await Promise.all(this.ends.map((end) => end()));
  }
}

async function connect(broker: BrokerSettings, env: Record<string, string | undefined>, cwd: string, messages: LoggedMessage[], maxInflight: number): Promise<ReplayPublisher> {
  const cannot = (who: string, error: unknown) =>
    new ReplayFailure(`cannot connect to the MQTT broker at ${broker.url} as ${who}: ${(error as Error).message}; start the stack (npm run stack -- up) or set MQTT_URL and MQTT_DEVICE_KEY (or MQTT_USERNAME and MQTT_PASSWORD); nothing was published`);
  if (broker.username) {
    let client: MqttClient;
    try {
      client = await connectAsync(broker.url, {
        clientId: `iot-replay-${randomBytes(4).toString('hex')}`,
        protocolVersion: 5,
        // A lost connection ends the replay with the line it stopped at, rather than resending behind the schedule.
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        username: broker.username,
        ...(broker.password ? { password: broker.password } : {}),
      });
    } catch (error) {
      throw cannot(broker.username, error);
    }
    return new ReplayPublisher(`as ${broker.username}`, new Map([['', new OrderedPublisher(client, maxInflight)]]), () => '', [() => client.endAsync()]);
  }
  if (!broker.deviceKey) throw new ReplayFailure('MQTT_DEVICE_KEY is not set (nor MQTT_USERNAME): run in the project folder, whose .env holds it, or set it; nothing was published');
  let manifest;
  try {
    manifest = loadManifest(env.IOT_PLATFORM_MANIFEST ?? join(cwd, 'iot-platform.yaml'));
  } catch (error) {
    throw new ReplayFailure(`${(error as Error).message}; nothing was published`);
  }
  const devices = new DeviceConnections({ url: broker.url, manifest, deviceKey: broker.deviceKey, adminPassword: broker.adminPassword, clientIdPrefix: 'iot-replay' });
  const owners = new Map<LoggedMessage, string>();
  const identities = new Map<string, DeviceIdentity>();
  for (const message of messages) {
    try {
      const who = devices.identityOf(message.topic);
      owners.set(message, who.username);
      identities.set(who.username, who);
    } catch (error) {
      throw new ReplayFailure(`line ${message.line}: ${(error as Error).message}; nothing was published`);
    }
  }
  const publishers = new Map<string, OrderedPublisher>();
  for (const [username, who] of identities) {
    try {
      publishers.set(username, new OrderedPublisher(await devices.clientOf(who), maxInflight));
    } catch (error) {
      await devices.endAsync().catch(() => undefined);
      throw new ReplayFailure(`${(error as Error).message}; nothing was published`);
    }
  }
  return new ReplayPublisher(`as ${publishers.size} device(s)`, publishers, (m) => owners.get(m)!, [() => devices.endAsync()]);
}

/** Waits until `dueMs` (in slices, so a stop request is seen within a second). */
async function waitUntil(dueMs: number, stopped: () => boolean): Promise<void> {
  for (let remaining = dueMs - Date.now(); remaining > 0 && !stopped(); remaining = dueMs - Date.now()) {
    await sleep(Math.min(remaining, 1000));
  }
}
