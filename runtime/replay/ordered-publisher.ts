// QoS 1 publishing in file order over one connection, with up to `maxInflight` messages awaiting their
// PUBACK. One connection sends its packets in call order and the broker forwards them in that order, so
// the window keeps the order while it hides the round trip. The first refusal (an MQTT 5 reason code such
// as "Not authorized") or a lost connection stops the replay, named by the line it happened on.
import type { MqttClient } from 'mqtt';
import type { LoggedMessage } from './message-log.ts';

export class PublishError extends Error {
  override name = 'PublishError';
  readonly line: number;

  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}

export class OrderedPublisher {
  private readonly client: MqttClient;
  private readonly maxInflight: number;
  acknowledged = 0;
  private inflight = new Set<number>();
  private failure: PublishError | undefined;
  private wake: (() => void) | undefined;
  private connectionError = '';
  private readonly onError = (error: Error) => {
    this.connectionError = ` (${error.message})`;
  };
  private readonly onClose = () => {
    if (this.inflight.size === 0) return;
    this.fail(new PublishError(Math.min(...this.inflight), `the connection to the broker was lost${this.connectionError} before it acknowledged this line`));
  };

  constructor(client: MqttClient, maxInflight: number) {
    this.client = client;
    this.maxInflight = maxInflight;
    client.on('error', this.onError);
    client.on('close', this.onClose);
  }

  /** Resolves once the message is handed to the connection (not yet acknowledged); throws the first failure. */
  async publish(message: LoggedMessage, payload: string | Buffer): Promise<void> {
    while (this.inflight.size >= this.maxInflight && !this.failure) await this.nextEvent();
    if (this.failure) throw this.failure;
    if (!this.client.connected) throw new PublishError(message.line, `the connection to the broker was lost${this.connectionError} before this line was sent`);
    this.inflight.add(message.line);
    this.client.publish(message.topic, payload, { qos: 1, retain: false }, (error) => {
      if (!this.inflight.delete(message.line)) return;
      if (error) this.fail(new PublishError(message.line, `the broker refused the publish to ${JSON.stringify(message.topic)}: ${error.message}`));
      else this.acknowledged += 1;
      this.signal();
    });
  }

  /** Waits until every message handed over was acknowledged; throws the first failure. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0 && !this.failure) await this.nextEvent();
    if (this.failure) throw this.failure;
  }

  private fail(error: PublishError): void {
    if (!this.failure || error.line < this.failure.line) this.failure = error;
    this.inflight.clear();
    this.signal();
  }

  private nextEvent(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
