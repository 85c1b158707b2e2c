// Publishes without awaiting each message: each simulated device has its own MQTT connection (it may publish
// only under its own topics), and up to `maxInflight` QoS 1 messages of all devices wait for their PUBACK at
// once; beyond that publish() waits, which paces backfill and benchmark runs to what the broker takes.
import type { IClientPublishOptions } from 'mqtt';
import type { DeviceConnections } from 'create-iot-platform/mqtt-access';

export class Publisher {
  readonly devices: DeviceConnections;
  readonly options: IClientPublishOptions;
  readonly maxInflight: number;
  inflight = 0;
  sent = 0;
  failed = 0;
  lastError: string | undefined;
  private waiters: (() => void)[] = [];

  constructor(devices: DeviceConnections, options: IClientPublishOptions, maxInflight: number) {
    this.devices = devices;
    this.options = options;
    this.maxInflight = maxInflight;
  }

  async publish(topic: string, payload: string): Promise<void> {
    while (this.inflight >= this.maxInflight) await new Promise<void>((resolve) => this.waiters.push(resolve));
    const client = await this.devices.clientFor(topic);
    this.inflight += 1;
    client.publish(topic, payload, this.options, (error) => {
      this.inflight -= 1;
      if (error) {
        this.failed += 1;
        this.lastError = error.message;
      } else this.sent += 1;
      this.waiters.shift()?.();
    });
  }

  /** Waits until every published message was acknowledged. */
  async drain(): Promise<void> {
    while (this.inflight > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
