// Points the e2e tests at whichever stack runs: the addresses its driver wrote (.stack/addresses.env)
// and this project's credentials (.env). Variables already set win, so CI or a kind port-forward can
// pass their own. The tests publish as the devices themselves (MQTT users provisioned through the broker's
// admin, passwords derived from MQTT_DEVICE_KEY) and read as an operator (PostgreSQL, Redis).
import { existsSync, readFileSync } from 'node:fs';

function load(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim()))
      .filter((match) => match !== null)
      .map((match) => [match[1]!, match[2]!]),
  );
}

const secrets = load('.env');
const defaults: Record<string, string | undefined> = {
  ...secrets,
  ...load('.stack/addresses.env'),
  POSTGRES_USER: 'postgres',
};
for (const [name, value] of Object.entries(defaults)) {
  if (process.env[name] === undefined && value !== undefined) process.env[name] = value;
}
