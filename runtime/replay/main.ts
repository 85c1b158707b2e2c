// iot-replay: publishes a message log over MQTT (see options.ts for the usage text).
import { once } from 'node:events';
import { runReplay } from './replay.ts';

const code = await runReplay(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interrupted: once(process, 'SIGINT').then(() => undefined),
});
process.exit(code);
