// iot-rich-sim: the RICH detector simulator of docs/rich-data-contract.md. Writes a run to files (--out) or publishes
// it live over MQTT (--mqtt). Bad options: one line naming the option and the fix, exit 2.
import { parseArgs } from 'node:util';
import { numberOption, readOptions, UsageError } from '../service-kit/command-line.ts';
import { writeRunFiles } from './files.ts';
import { publishLive } from './live.ts';
import { PARAMETER_NAMES, readParametersFile, resolveParameters } from './parameters.ts';
import type { RunOptions } from './run.ts';

const USAGE = `usage: iot-rich-sim (--out DIR | --mqtt URL) [options]
run:
  --params FILE       parameters from a JSON or YAML file (keys: the contract's parameter names)
  --<parameter> X     one parameter, overriding the file, e.g. --darkRatePerPixelHz 0.5 (names:
                      ${PARAMETER_NAMES.join(', ')})
  --seed N            seed of the run (default 1)
  --start TIME        detector time of the start: ISO time with its zone, or integer ns since the epoch
                      (default: now, whole milliseconds)
  --duration S        seconds of detector time (default 10 with --out; with --mqtt: until stopped)
files:
  --out DIR           write parameters.json, tracks.bin, hits.bin, truth.jsonl
live:
  --mqtt URL          broker, e.g. mqtt://localhost:1883
  --tracks-topic T    topic of track records (default rich/tracks)
  --hits-topic H      topic of hit records (default rich/hits)
  --hits-only         publish no tracks, only their hits (a trackless detector)
  --username U        (default MQTT_USERNAME)
  --password P        (default MQTT_PASSWORD)
  --speed X           detector seconds per wall second (default 1)
  --batch-ms MS       detector milliseconds per message (default 10)
  --qos 0|1           (default 1)`;

function startNs(value: string | undefined): bigint {
  if (value === undefined) return BigInt(Date.now()) * 1_000_000n;
  if (/^-?\d+$/.test(value)) return BigInt(value);
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || !/(Z|[+-]\d\d:?\d\d)$/i.test(value)) {
    throw new UsageError(`--start ${value}: write an ISO time with its zone (2026-01-01T00:00:00Z) or ns since the epoch`);
  }
  return BigInt(ms) * 1_000_000n;
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      out: { type: 'string' },
      mqtt: { type: 'string' },
      params: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      duration: { type: 'string' },
      'tracks-topic': { type: 'string' },
      'hits-topic': { type: 'string' },
      'hits-only': { type: 'boolean' },
      username: { type: 'string' },
      password: { type: 'string' },
      speed: { type: 'string' },
      'batch-ms': { type: 'string' },
      qos: { type: 'string' },
      help: { type: 'boolean' },
      ...Object.fromEntries(PARAMETER_NAMES.map((name) => [name, { type: 'string' as const }])),
    },
  });
  if (values.help) return undefined;
  if (!values.out === !values.mqtt) throw new UsageError('pass exactly one of --out <dir> and --mqtt <url>; see --help');
  if (values['hits-only'] && values['tracks-topic'] !== undefined) throw new UsageError('--hits-only publishes no tracks: drop --tracks-topic');
  if (values['hits-only'] && values.out) throw new UsageError('--hits-only is for --mqtt; --out always writes tracks.bin');
  const overrides: Record<string, unknown> = {};
  try {
    if (values.params) Object.assign(overrides, readParametersFile(values.params));
  } catch (error) {
    throw new UsageError(`--params ${values.params}: ${(error as Error).message.split('\n')[0]}`);
  }
  for (const name of PARAMETER_NAMES) {
    const flag = (values as Record<string, string | undefined>)[name];
    if (flag !== undefined) overrides[name] = flag.trim() === '' ? NaN : Number(flag);
  }
  let parameters;
  try {
    parameters = resolveParameters(overrides, values.params ?? 'flags');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const durationS = values.duration === undefined && values.mqtt ? undefined : numberOption('duration', values.duration, 10, (n) => n > 0, 'value');
  const run: RunOptions = {
    parameters,
    seed: numberOption('seed', values.seed, 1, Number.isSafeInteger, 'value'),
    startNs: startNs(values.start),
    durationNs: durationS === undefined ? undefined : Math.round(durationS * 1e9),
  };
  return {
    out: values.out,
    mqtt: values.mqtt,
    run,
    tracksTopic: values['hits-only'] ? null : (values['tracks-topic'] ?? 'rich/tracks'),
    hitsTopic: values['hits-topic'] ?? 'rich/hits',
    username: values.username ?? process.env.MQTT_USERNAME,
    password: values.password ?? process.env.MQTT_PASSWORD,
    speed: numberOption('speed', values.speed, 1, (n) => n > 0, 'value'),
    batchNs: Math.round(numberOption('batch-ms', values['batch-ms'], 10, (n) => n > 0, 'value') * 1e6),
    qos: numberOption('qos', values.qos, 1, (n) => n === 0 || n === 1, 'value') as 0 | 1,
  };
}

async function main(): Promise<void> {
  const options = readOptions('iot-rich-sim', USAGE, parse);
  if (!options) return;
  const { run } = options;
  const describe = { seed: run.seed, startNs: String(run.startNs), durationNs: run.durationNs ?? null };
  try {
    if (options.out) {
      const summary = writeRunFiles(options.out, { ...run, durationNs: run.durationNs! });
      console.log(JSON.stringify({ msg: 'rich run written', dir: options.out, ...describe, ...summary }));
      return;
    }
    const stop = new AbortController();
    process.once('SIGTERM', () => stop.abort());
    process.once('SIGINT', () => stop.abort());
    console.log(JSON.stringify({ msg: 'rich simulator publishing', url: options.mqtt, tracksTopic: options.tracksTopic, hitsTopic: options.hitsTopic, speed: options.speed, ...describe }));
    const summary = await publishLive({ ...options, url: options.mqtt!, signal: stop.signal });
    console.log(JSON.stringify({ msg: 'rich simulator stopped', ...summary }));
  } catch (error) {
    console.error(`iot-rich-sim: ${(error as Error).message.split('\n')[0]}`);
    process.exit(1);
  }
}

await main();
