// A minimal MQTT 3.1.1 publisher (CONNECT, PUBLISH QoS 1, PUBACK) on a raw TCP socket, for load generation:
// a full client library spends more CPU per message than the broker, and on a 2-core machine every cycle
// the load generator burns is taken from the pipeline it measures. QoS 1 as the devices use: a message
// counts as published once the broker has acknowledged it (PUBACK), and at most `window` wait at once.
import { connect, type Socket } from 'node:net';

function remainingLength(length: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return bytes;
}

function utf8Field(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeUInt16BE(body.length, 0);
  body.copy(out, 2);
  return out;
}

export interface RawMqttOptions {
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  /** Most unacknowledged QoS 1 messages at once. */
  window?: number;
}

export class RawMqttPublisher {
  readonly window: number;
  inflight = 0;
  acked = 0;
  private socket!: Socket;
  private nextId = 1;
  private pending = new Set<number>();
  private buffered: Buffer[] = [];
  private incoming: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private connected!: Promise<void>;
  private closedError: Error | undefined;
  /** Called for each PUBACK with the packet id. */
  onAck: ((packetId: number) => void) | undefined;

  readonly options: RawMqttOptions;

  constructor(options: RawMqttOptions) {
    this.options = options;
    this.window = options.window ?? 2000;
  }

  connect(): Promise<void> {
    const { host, port, clientId, username, password } = this.options;
    this.connected = new Promise<void>((resolve, reject) => {
      this.socket = connect({ host, port, noDelay: true });
      this.socket.once('error', reject);
      this.socket.once('connect', () => {
        let flags = 0x02; // clean session
        const payload = [utf8Field(clientId)];
        if (username !== undefined) {
          flags |= 0x80;
          payload.push(utf8Field(username));
        }
        if (password !== undefined) {
          flags |= 0x40;
          payload.push(utf8Field(password));
        }
        // keep-alive 0: no PINGREQ needed however long a step runs
        const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, flags, 0x00, 0x00]);
        const body = Buffer.concat([variable, ...payload]);
        this.socket.write(Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body]));
      });
      this.socket.on('data', (chunk) => this.read(chunk, resolve, reject));
      this.socket.on('close', () => {
        this.closedError ??= new Error(`mqtt connection ${clientId} closed`);
        reject(this.closedError);
        for (const waiter of this.waiters.splice(0)) waiter();
      });
    });
    return this.connected;
  }

  private read(chunk: Buffer, resolve: () => void, reject: (error: Error) => void): void {
    this.incoming = this.incoming.length ? Buffer.concat([this.incoming, chunk]) : chunk;
    let offset = 0;
    while (this.incoming.length - offset >= 2) {
      const type = this.incoming[offset]! >> 4;
      let length = 0;
      let multiplier = 1;
      let cursor = offset + 1;
      let complete = false;
      while (cursor < this.incoming.length) {
        const byte = this.incoming[cursor++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || this.incoming.length - cursor < length) break;
      if (type === 2) {
        const code = this.incoming[cursor + 1]!;
        if (code === 0) resolve();
        else reject(new Error(`mqtt CONNACK refused with code ${code} (bad credentials or not authorised)`));
      } else if (type === 4) {
        const id = this.incoming.readUInt16BE(cursor);
        if (this.pending.delete(id)) {
          this.inflight -= 1;
          this.acked += 1;
          this.onAck?.(id);
        }
      }
      offset = cursor + length;
    }
    this.incoming = offset >= this.incoming.length ? Buffer.alloc(0) : this.incoming.subarray(offset);
    if (this.inflight < this.window) for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Queues one QoS 1 PUBLISH (sent at the next flush) and returns its packet id. */
  publish(topic: string, payload: string): number {
    if (this.closedError) throw this.closedError;
    let id = this.nextId;
    while (this.pending.has(id)) id = (id % 65535) + 1;
    this.nextId = (id % 65535) + 1;
    const topicBytes = Buffer.byteLength(topic);
    const payloadBytes = Buffer.byteLength(payload);
    const body = 2 + topicBytes + 2 + payloadBytes;
    const header = remainingLength(body);
    const packet = Buffer.allocUnsafe(1 + header.length + body);
    let at = 0;
    packet[at++] = 0x32;
    for (const b of header) packet[at++] = b;
    packet.writeUInt16BE(topicBytes, at);
    at += 2;
    at += packet.write(topic, at, 'utf8');
    packet.writeUInt16BE(id, at);
    at += 2;
    packet.write(payload, at, 'utf8');
    this.pending.add(id);
    this.inflight += 1;
    this.buffered.push(packet);
    return id;
  }

  /** Writes the queued packets in one syscall. */
  flush(): void {
    if (this.buffered.length === 0) return;
    this.socket.write(this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered));
    this.buffered = [];
  }

  get hasRoom(): boolean {
    return this.inflight < this.window;
  }

  /** Resolves when there is room in the window again (or the connection closed). */
  waitForRoom(): Promise<void> {
    if (this.hasRoom || this.closedError) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves once every message is acknowledged, or after timeoutMs. */
  async drain(timeoutMs = 60_000): Promise<boolean> {
    this.flush();
    const deadline = Date.now() + timeoutMs;
    while (this.inflight > 0 && Date.now() < deadline && !this.closedError) await new Promise((r) => setTimeout(r, 20));
    return this.inflight === 0;
  }

  close(): void {
    this.closedError ??= new Error('closed');
    this.socket.write(Buffer.from([0xe0, 0x00])); // DISCONNECT
    this.socket.end();
  }
}
