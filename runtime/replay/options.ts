// The command line of iot-replay: one message log and a few flags. Usage mistakes are thrown as
// UsageError with a line that says what to type instead.
import { parseArgs } from 'node:util';

export const USAGE = `Usage: iot-replay <file.jsonl> [options]      (in a project: npm run replay -- <file.jsonl> [options])

Publishes a message log over MQTT, line by line in file order, with QoS 1: each line is
  {"topic": "sensors/d1/humidity", "payload": "d1,2026-03-02T02:00:00Z,48.5", "ts_ms": 1772416800000}
payload is published as it is (a JSON object as its JSON text; with "encoding": "base64", the decoded bytes);
ts_ms is the original publish time in epoch milliseconds. The whole file is checked before connecting: a bad
line is reported with its number and nothing is published.

Options:
  --speed <factor>        replay the original gaps between lines divided by <factor> (default 1: real time;
                          10: ten times faster; 0: no waiting)
  --as-fast-as-possible   the same as --speed 0
  --shift-to-now          move every ISO-8601 UTC timestamp in text payloads (2026-03-02T02:00:00Z) by the whole
                          seconds from the first line's ts_ms to now, so the data looks current; without it
                          payloads are published byte for byte
  --max-inflight <n>      messages awaiting the broker's acknowledgement at once (default 100; 1 = one at a time)
  --dry-run               check the file and print what would be published, without connecting
  -h, --help              this text

Broker: MQTT_URL (or MQTT_HOST and MQTT_PORT; default mqtt://localhost:1883). Each line is published as the
device (or tenant, per iot-platform.yaml mqtt.credentials) that owns its topic, with the password derived from
MQTT_DEVICE_KEY; with MQTT_ADMIN_PASSWORD each is provisioned first. MQTT_USERNAME and MQTT_PASSWORD publish
everything as that one user instead. Variables not set in the environment are read from .stack/addresses.env
and .env of the current directory, as the stack and the simulator write them.
Progress goes to stderr every second; a summary to stdout at the end. Exit 1 on any error.
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ReplayOptions {
  file: string;
  speed: number;
  shiftToNow: boolean;
  maxInflight: number;
  dryRun: boolean;
}

export type ParsedCommand = { help: true } | ({ help: false } & ReplayOptions);

const FLAGS = {
  speed: { type: 'string' },
  'as-fast-as-possible': { type: 'boolean' },
  'shift-to-now': { type: 'boolean' },
  'max-inflight': { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseReplayArgs(argv: string[]): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split(/\.(\s|$)/)[0]}; see iot-replay --help`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length === 0) throw new UsageError('which message log? iot-replay <file.jsonl> (see --help)');
  if (positionals.length > 1) throw new UsageError(`one message log at a time, got ${positionals.length}: ${positionals.join(' ')}`);
  if (values['as-fast-as-possible'] && values.speed !== undefined && Number(values.speed) !== 0) {
    throw new UsageError(`--as-fast-as-possible contradicts --speed ${values.speed}; give one of them`);
  }
  return {
    help: false,
    file: positionals[0]!,
    speed: values['as-fast-as-possible'] ? 0 : speedOf(values.speed),
    shiftToNow: values['shift-to-now'] ?? false,
    maxInflight: maxInflightOf(values['max-inflight']),
    dryRun: values['dry-run'] ?? false,
  };
}

function speedOf(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const speed = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(speed) || speed < 0) {
    throw new UsageError(`--speed ${JSON.stringify(raw)} is not a factor; use a number like 1 (real time), 10 (ten times faster) or 0 (no waiting)`);
  }
  return speed;
}

function maxInflightOf(raw: string | undefined): number {
  if (raw === undefined) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new UsageError(`--max-inflight ${JSON.stringify(raw)} must be a whole number from 1 to 65535`);
  return n;
}
