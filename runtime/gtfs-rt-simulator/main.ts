// iot-gtfs-sim: a GTFS-Realtime feed server. Simulates vehicles from a static GTFS feed (zip or folder) or replays
// recorded .pb snapshots, and serves /vehicle-positions.pb (and /trip-updates.pb) with ETag, Last-Modified, 304
// and optional gzip. Bad options: one line naming the option and the fix, exit 2.
import { parseArgs } from 'node:util';
import { numberOption, readOptions, UsageError } from '../service-kit/command-line.ts';
import { encodeFeedMessage } from './gtfs-rt-encode.ts';
import { startFeedServer, type Snapshot } from './feed-server.ts';
import { readStaticFeed } from './static-feed.ts';
import { readRecordedFeeds, replaySlot } from './replay.ts';
import { SimClock } from './sim-clock.ts';
import { VehicleSimulator } from './vehicle-simulator.ts';

const USAGE = `usage: iot-gtfs-sim (--gtfs <feed.zip|folder> | --replay <folder of .pb>) [options]
  --port N            listen port (default 8090; 0 picks a free one)
  --host ADDR         listen address (default 127.0.0.1)
  --interval S        seconds between feed updates (default 10)
  --gzip              gzip responses for clients that accept it
simulation:
  --start ISO         simulated start time, e.g. 2026-03-08T07:00:00-08:00 (default now)
  --speed X           simulated seconds per real second (default 1)
  --delay TRIP=S      a trip's delay in seconds, negative for early (repeatable)
  --default-delay S   delay of the other trips (default 0)
  --dwell S           least seconds a vehicle stands at each stop (default 0)
  --noise M           GPS noise, standard deviation in metres (default 0)
  --seed N            seed of the noise (default 1)
  --omit-start-date TRIP|all   leave start_date out of these trips' descriptors (repeatable)
  --trip-updates      also serve /trip-updates.pb
replay:
  --loop              start over after the last snapshot (default: keep serving the last)`;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      gtfs: { type: 'string' },
      replay: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      interval: { type: 'string' },
      gzip: { type: 'boolean' },
      start: { type: 'string' },
      speed: { type: 'string' },
      delay: { type: 'string', multiple: true },
      'default-delay': { type: 'string' },
      dwell: { type: 'string' },
      noise: { type: 'string' },
      seed: { type: 'string' },
      'omit-start-date': { type: 'string', multiple: true },
      'trip-updates': { type: 'boolean' },
      loop: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;
  if (!values.gtfs === !values.replay) throw new UsageError('pass exactly one of --gtfs <feed.zip|folder> and --replay <folder>; see --help');
  const delays: Record<string, number> = {};
  for (const entry of values.delay ?? []) {
    const match = /^(.+)=(-?\d+)$/.exec(entry);
    if (!match) throw new UsageError(`--delay ${entry}: write TRIP_ID=SECONDS, e.g. --delay T1=120`);
    delays[match[1]!] = Number(match[2]);
  }
  const start = values.start === undefined ? Date.now() : Date.parse(values.start);
  if (!Number.isFinite(start) || (values.start !== undefined && !/(Z|[+-]\d\d:?\d\d)$/i.test(values.start))) {
    throw new UsageError(`--start ${values.start}: write an ISO time with its zone, e.g. 2026-03-08T07:00:00-08:00`);
  }
  const omit = values['omit-start-date'] ?? [];
  return {
    gtfs: values.gtfs,
    replay: values.replay,
    port: numberOption('port', values.port, 8090, (n) => Number.isInteger(n) && n >= 0 && n < 65536),
    host: values.host ?? '127.0.0.1',
    intervalMs: numberOption('interval', values.interval, 10, (n) => n > 0) * 1000,
    gzip: values.gzip ?? false,
    start,
    speed: numberOption('speed', values.speed, 1, (n) => n > 0),
    simulation: {
      delays,
      defaultDelaySeconds: numberOption('default-delay', values['default-delay'], 0, Number.isInteger),
      dwellSeconds: numberOption('dwell', values.dwell, 0, (n) => Number.isInteger(n) && n >= 0),
      noiseMetres: numberOption('noise', values.noise, 0, (n) => n >= 0),
      seed: numberOption('seed', values.seed, 1, Number.isInteger),
      omitStartDate: omit.includes('all') ? (true as const) : omit,
    },
    tripUpdates: values['trip-updates'] ?? false,
    loop: values.loop ?? false,
  };
}

async function main(): Promise<void> {
  const options = readOptions('iot-gtfs-sim', USAGE, parse);
  if (!options) return;
  const feeds: Record<string, (slot: number) => Snapshot> = {};
  let describe: Record<string, unknown>;
  try {
    if (options.replay) {
      const recorded = readRecordedFeeds(options.replay);
      if (recorded.vehiclePositions.length > 0) feeds['/vehicle-positions.pb'] = (slot) => replaySlot(recorded.vehiclePositions, slot, options.loop);
      if (recorded.tripUpdates.length > 0) feeds['/trip-updates.pb'] = (slot) => replaySlot(recorded.tripUpdates, slot, options.loop);
      describe = { replay: options.replay, vehiclePositions: recorded.vehiclePositions.length, tripUpdates: recorded.tripUpdates.length };
    } else {
      const simulator = new VehicleSimulator(await readStaticFeed(options.gtfs!), options.simulation);
      const clock = new SimClock(options.start, options.speed);
      const at = (slot: number) => clock.after(slot * options.intervalMs);
      feeds['/vehicle-positions.pb'] = (slot) => ({ body: encodeFeedMessage(simulator.vehiclePositions(at(slot))), modifiedMs: at(slot) });
      if (options.tripUpdates) feeds['/trip-updates.pb'] = (slot) => ({ body: encodeFeedMessage(simulator.tripUpdates(at(slot))), modifiedMs: at(slot) });
      describe = { gtfs: options.gtfs, start: new Date(options.start).toISOString(), speed: options.speed, skippedTrips: simulator.skippedTrips.length };
    }
  } catch (error) {
    console.error(`iot-gtfs-sim: ${(error as Error).message.split('\n')[0]}`);
    process.exit(1);
  }
  let server;
  try {
    server = await startFeedServer({ feeds, intervalMs: options.intervalMs, gzip: options.gzip, host: options.host, port: options.port });
  } catch (error) {
    console.error(`iot-gtfs-sim: cannot listen on ${options.host}:${options.port} (${(error as Error).message}); choose another --port`);
    process.exit(1);
  }
  console.log(JSON.stringify({ msg: 'gtfs-rt simulator serving', url: server.url, feeds: Object.keys(feeds), intervalSeconds: options.intervalMs / 1000, ...describe }));
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
