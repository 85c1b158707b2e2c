// `create-iot-platform stack <up|down|status|logs|dbt>`: run the project's stack with a driver —
// compose (docker compose) or native (local engines) — behind one interface.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCommandArgs } from '../cli/args.ts';
import { UserError } from '../cli/errors.ts';
import { ADDRESSES_FILE, NATIVE_STATE_FILE, nativeComponent, nativeDown, nativeStatus, nativeUp } from './native/driver.ts';
import { runDbt } from './native/dbt.ts';
import { compose, composeComponent, composeUp } from './compose.ts';
import { kindComponent, kindDbt } from './kind.ts';

export const STACK_USAGE = `Usage: create-iot-platform stack <command> [--native | --compose] [--help]
  up [--only a,b]     start the stack and wait until every component is healthy
  down [--purge]      stop it (--purge also deletes its data)
  status              what runs
  logs [component]    print a component's log (native) or follow compose logs
  kill <component>    kill one component abruptly (failure drills, e2e tests)
  start <component>   start a killed component again and wait until it is ready
  dbt <args…>         run dbt against the stack (e.g. dbt build)`;

export async function stack(argv: string[], cwd: string, out: (line: string) => void): Promise<void> {
  const { values, positionals } = parseStackArgs(argv);
  if (values.help) {
    out(STACK_USAGE);
    return;
  }
  const [command, ...rest] = positionals;
  const driver = values.native ? 'native' : values.compose ? 'compose' : runningDriver(cwd) ?? 'compose';
  if (driver === 'kind' && ['up', 'down', 'status', 'logs'].includes(command ?? '')) {
    throw new UserError(`stack ${command}: the Kubernetes stack is run by Helm (README "On Kubernetes"); use kubectl or helm for it`);
  }
  switch (command) {
    case 'up':
      if (driver === 'native') {
        out(`Starting the native stack in ${cwd}`);
        await nativeUp(cwd, out, typeof values.only === 'string' ? values.only.split(',') : undefined);
        out(`Ready. Addresses: ${join('.stack', ADDRESSES_FILE)}; stop with: npm run stack -- down`);
      } else composeUp(cwd);
      return;
    case 'down':
      if (driver === 'native') await nativeDown(cwd, out, { purge: Boolean(values.purge) });
      else compose(cwd, ['down', ...(values.purge ? ['--volumes'] : [])]);
      return;
    case 'status':
      if (driver === 'native') {
        const status = nativeStatus(cwd);
        if (!status.length) out('The native stack is not running.');
        for (const c of status) out(`  ${c.running ? '✔' : '✖'} ${c.name.padEnd(16)} pid ${c.pids.join(',')}`);
      } else compose(cwd, ['ps']);
      return;
    case 'logs': {
      if (driver === 'compose') {
        compose(cwd, ['logs', ...rest]);
        return;
      }
      const file = join(cwd, '.stack', 'logs', `${rest[0] ?? 'flink'}.log`);
      if (!existsSync(file)) throw new UserError(`${file}: no such log; components log to .stack/logs/<component>.log`);
      out(readFileSync(file, 'utf8'));
      return;
    }
    case 'kill':
    case 'start': {
      const name = rest[0];
      if (!name) throw new UserError(`stack ${command} needs a component name; see: npm run stack -- status`);
      if (driver === 'native') return nativeComponent(cwd, name, command, out);
      if (driver === 'kind') return kindComponent(cwd, name, command, out);
      return composeComponent(cwd, name, command, out);
    }
    case 'dbt':
      if (driver === 'native') return runDbt(cwd, rest);
      if (driver === 'kind') return kindDbt(cwd, rest, out);
      compose(cwd, ['--profile', 'batch', 'run', '--rm', 'dbt', ...rest]);
      return;
    default:
      throw new UserError(`unknown stack command "${command ?? ''}"\n${STACK_USAGE}`);
  }
}

const STACK_FLAGS = {
  native: { type: 'boolean' },
  compose: { type: 'boolean' },
  only: { type: 'string' },
  purge: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Unknown flags are errors (`up --nativ` must not start compose), except after `dbt`: there everything but
 * --native and --compose belongs to dbt (`stack dbt build --select marts --native`).
 */
function parseStackArgs(argv: string[]) {
  const { tokens } = parseArgs({ args: argv, options: STACK_FLAGS, allowPositionals: true, strict: false, tokens: true });
  const first = tokens.find((t) => t.kind === 'positional');
  const dbt = first?.value === 'dbt' ? first.index : -1;
  const own = dbt === -1 ? argv : [...argv.slice(0, dbt + 1), ...argv.slice(dbt + 1).filter((a) => a === '--native' || a === '--compose')];
  const parsed = parseCommandArgs('stack', own, STACK_FLAGS);
  if (dbt === -1) return parsed;
  return { ...parsed, positionals: ['dbt', ...argv.slice(dbt + 1).filter((a) => a !== '--native' && a !== '--compose')] };
}

/**
 * The driver of the stack that runs now, from the addresses file it wrote; a native stack whose start did not finish
 * (no addresses yet, or a failed up) is known by its state file, so that down stops and purges it.
 */
function runningDriver(cwd: string): string | undefined {
  const file = join(cwd, '.stack', ADDRESSES_FILE);
  if (existsSync(file)) return /^STACK_DRIVER=(\w+)/m.exec(readFileSync(file, 'utf8'))?.[1];
  return existsSync(join(cwd, '.stack', NATIVE_STATE_FILE)) ? 'native' : undefined;
}
