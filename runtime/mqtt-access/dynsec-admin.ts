// Mosquitto's dynamic security plugin, driven over MQTT as its `admin` user: commands go to
// $CONTROL/dynamic-security/v1 in batches and each batch's responses come back on .../response, matched by
// correlation data. The broker keeps clients, roles and salted password hashes in its own file.
import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';

const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
const RESPONSE_TOPIC = `${CONTROL_TOPIC}/response`;

export interface DynsecCommand {
  command: string;
  [field: string]: unknown;
}

export interface DynsecResponse {
  command: string;
  error?: string;
  data?: Record<string, unknown>;
}

export interface AdminConnection {
  url: string;
  username?: string;
  password: string;
}

export class DynsecAdmin {
  private pending = new Map<string, (responses: DynsecResponse[]) => void>();
  private readonly client: MqttClient;
  private readonly timeoutMs: number;

  private constructor(client: MqttClient, timeoutMs: number) {
    this.client = client;
    this.timeoutMs = timeoutMs;
    client.on('message', (topic, payload) => {
      if (topic !== RESPONSE_TOPIC) return;
      const { responses = [] } = JSON.parse(payload.toString()) as { responses?: (DynsecResponse & { correlationData?: string })[] };
      const batch = responses[0]?.correlationData?.split(':')[0];
      const resolve = batch === undefined ? undefined : this.pending.get(batch);
      if (!resolve) return;
      this.pending.delete(batch!);
      resolve(responses);
    });
  }

  static async connect({ url, username = 'admin', password }: AdminConnection, timeoutMs = 10_000): Promise<DynsecAdmin> {
    let client: MqttClient;
    try {
      client = await connectAsync(url, { username, password, reconnectPeriod: 0, connectTimeout: timeoutMs, clientId: `dynsec-admin-${randomBytes(4).toString('hex')}` });
    } catch (error) {
      throw new Error(`cannot connect to the MQTT broker at ${url} as ${username}: ${(error as Error).message}; check MQTT_URL and MQTT_ADMIN_PASSWORD`);
    }
    await client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 });
    return new DynsecAdmin(client, timeoutMs);
  }

  /** Runs a batch; answers one response per command, in order (an `error` names what the broker refused). */
  async run(commands: DynsecCommand[]): Promise<DynsecResponse[]> {
    if (commands.length === 0) return [];
    const batch = randomBytes(6).toString('hex');
    const answered = new Promise<DynsecResponse[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(batch);
        reject(new Error(`the broker did not answer ${commands.length} dynamic-security command(s) within ${this.timeoutMs} ms; is the dynamic security plugin loaded?`));
      }, this.timeoutMs);
      this.pending.set(batch, (responses) => {
        clearTimeout(timer);
        resolve(responses);
      });
    });
    const tagged = commands.map((c, i) => ({ ...c, correlationData: `${batch}:${i}` }));
    await this.client.publishAsync(CONTROL_TOPIC, JSON.stringify({ commands: tagged }), { qos: 1 });
    const responses = await answered;
    const byIndex = new Map(responses.map((r) => [Number((r as { correlationData?: string }).correlationData?.split(':')[1]), r]));
    return commands.map((c, i) => byIndex.get(i) ?? { command: c.command, error: 'no response' });
  }

  /** Runs a batch and fails on the first error that `tolerated` does not accept. */
  async runAll(commands: DynsecCommand[], tolerated: (response: DynsecResponse) => boolean = () => false): Promise<DynsecResponse[]> {
    const responses = await this.run(commands);
    responses.forEach((response, i) => {
      if (response.error && !tolerated(response)) {
        throw new Error(`the broker refused ${describe(commands[i]!)}: ${response.error}`);
      }
    });
    return responses;
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

function describe(command: DynsecCommand): string {
  const subject = command.username ?? command.rolename ?? command.groupname;
  return subject === undefined ? command.command : `${command.command} ${JSON.stringify(subject)}`;
}
