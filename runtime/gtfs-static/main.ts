// iot-gtfs-load: loads a static GTFS feed into PostgreSQL and Kafka (see options.ts for the usage text).
import { runGtfsLoad } from './load.ts';

const code = await runGtfsLoad(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exit(code);
