// Publishes without awaiting each message: up to `maxInflight` QoS 1 messages wait for their PUBACK at
// once; beyond that publish() waits, which paces backfill and benchmark runs to what the broker takes.
import type { IClientPublishOptions, MqttClient } from 'mqtt';

export class Publisher {
  readonly client: MqttClient;
  readonly options: IClientPublishOptions;
  readonly maxInflight: number;
  inflight = 0;
  sent = 0;
  failed = 0;
  private waiters: (() => void)[] = [];

  constructor(client: MqttClient, options: IClientPublishOptions, maxInflight: number) {
    this.client = client;
    this.options = options;
    this.maxInflight = maxInflight;
  }

  async publish(topic: string, payload: string): Promise<void> {
    while (this.inflight >= this.maxInflight) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.inflight += 1;
    this.client.publish(topic, payload, this.options, (error) => {
      this.inflight -= 1;
      if (error) this.failed += 1;
      else this.sent += 1;
      this.waiters.shift()?.();
    });
  }

  /** Waits until every published message was acknowledged. */
  async drain(): Promise<void> {
    while (this.inflight > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
