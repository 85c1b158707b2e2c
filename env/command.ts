// `create-iot-platform env` inside a generated repository: creates a missing `.env` (a fresh clone has none: it is
// git-ignored) with new random secrets, or adds the names `.env.example` lists and `.env` lacks. Never changes a
// line that is there.
import { parseArgs } from 'node:util';
import { UserError } from '../cli/errors.ts';
import { findProjectRoot } from '../upgrade/guards.ts';
import { ensureEnv, ENV_EXAMPLE } from './ensure-env.ts';

export const ENV_USAGE = `Usage: create-iot-platform env
  Creates .env from ${ENV_EXAMPLE} when it is missing (settings as listed, each secret a new random value, mode 0600),
  or appends what .env lacks. Existing lines are never changed.
Exit codes: 0 done (or nothing to do), 1 user error.`;

export async function envCommand(argv: string[], cwd: string, out: (line: string) => void): Promise<number> {
  let help = false;
  try {
    help = Boolean(parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true }).values.help);
  } catch (error) {
    throw new UserError(`env: ${(error as Error).message.split('. ')[0]}; usage: create-iot-platform env`);
  }
  if (help) {
    out(ENV_USAGE);
    return 0;
  }
  const result = ensureEnv(findProjectRoot(cwd));
  const secrets = result.added.filter((a) => a.secret).length;
  if (result.created) out(`Created .env: ${result.added.length} entries, ${secrets} new random secret(s), readable by you only.`);
  else if (result.added.length) out(`Added to .env: ${result.added.map((a) => `${a.name}${a.secret ? ' (new secret)' : ''}`).join(', ')}.`);
  else out(`.env has every name of ${ENV_EXAMPLE}: nothing to do.`);
  return 0;
}
