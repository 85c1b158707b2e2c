// Command-line flags of `create-iot-platform [folder]`.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UserError } from './errors.ts';

export const CREATE_FLAGS = {
  blueprint: { type: 'string' },
  name: { type: 'string' },
  components: { type: 'string' },
  deploy: { type: 'string' },
  github: { type: 'string' },
  private: { type: 'boolean' },
  description: { type: 'string' },
  owner: { type: 'string' },
  'time-zone': { type: 'string' },
  answers: { type: 'string' },
  variant: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  'skip-install': { type: 'boolean' },
  'skip-git': { type: 'boolean' },
  link: { type: 'boolean' },
  'platform-dependency': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export type CreateFlags = ReturnType<typeof parseCreateArgs>;

export function parseCreateArgs(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: CREATE_FLAGS, allowPositionals: true, strict: true });
    if (positionals.length > 1) {
      throw new UserError(`expected one target folder, got ${positionals.length}: ${positionals.join(' ')}`);
    }
    return { ...values, target: positionals[0] };
  } catch (error) {
    if (error instanceof UserError) throw error;
    // node:util messages look like "Unknown option '--blueprnt'. To specify a positional argument ...".
    const message = (error as Error).message.split('. ')[0];
    throw new UserError(`${message}; see create-iot-platform --help`);
  }
}

/**
 * Flags of a subcommand (`stack`, `lint` …), strictly: an unknown or misspelt flag is an error (exit 1) that
 * names it, never silently ignored (`stack up --nativ` must not start compose).
 */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UserError(`${command}: ${(error as Error).message.split('. ')[0]}; see create-iot-platform ${command} --help`);
  }
}
