// iot-mqtt-devices: provisions the project's MQTT users (see devices-command.ts for the usage text).
import { runDevicesCommand } from './devices-command.ts';

process.exit(
  await runDevicesCommand(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }),
);
