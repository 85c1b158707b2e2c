// PostgreSQL from the system packages: a private cluster under .stack/data/postgres on a free loopback
// port, initialised once with the project's init scripts (the same files compose mounts).
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { NativeComponent } from './component.ts';
import { databaseName, secret, type NativeContext } from './context.ts';
import { run, startProcess } from './processes.ts';
import { waitFor } from '../wait.ts';

const OS_USER = 'postgres';

export function postgresBinDir(): string | undefined {
  const config = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidates = [
    ...(config.status === 0 ? [config.stdout.trim()] : []),
    ...(existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin`) : []),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'initdb')));
}

const asRoot = () => process.getuid?.() === 0;
const dataDir = (ctx: NativeContext) => join(ctx.stateDir, 'data', 'postgres');
const runDir = (ctx: NativeContext) => join(ctx.stateDir, 'run', 'postgres');

function bin(name: string): string {
  const dir = postgresBinDir();
  if (!dir) throw new Error('PostgreSQL server binaries not found');
  return join(dir, name);
}

/** Owned by the postgres OS user when we are root (PostgreSQL refuses to run as root). */
function ownedDir(path: string) {
  mkdirSync(dirname(path), { recursive: true }); // parents stay traversable for the postgres user
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (asRoot()) {
    const { uid, gid } = osUser(OS_USER);
    chownSync(path, uid, gid);
  }
}

function osUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(run('id', [flag, name]).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export function postgresEnv(ctx: NativeContext): Record<string, string> {
  return {
    PGHOST: '127.0.0.1',
    PGPORT: String(ctx.ports.postgres),
    PGUSER: 'postgres',
    PGPASSWORD: secret(ctx, 'POSTGRES_PASSWORD'),
    PGDATABASE: databaseName(ctx.manifest),
  };
}

export const postgres: NativeComponent = {
  name: 'postgres',
  prerequisites: [{ command: 'psql', install: 'apt-get install postgresql' }],
  enabled: () => true,
  ports: () => ['postgres'],

  async start(ctx) {
    if (!postgresBinDir()) throw new Error('PostgreSQL server binaries (initdb) not found; install them: apt-get install postgresql');
    const data = dataDir(ctx);
    const user = asRoot() ? OS_USER : undefined;
    if (user && spawnSync('runuser', ['-u', user, '--', 'test', '-x', ctx.projectDir]).status !== 0) {
      throw new Error(
        `PostgreSQL runs as the "${user}" user, which cannot reach ${ctx.projectDir}; make its parent folders traversable (chmod o+x) or run the stack as a non-root user`,
      );
    }
    if (!existsSync(join(data, 'PG_VERSION'))) {
      ownedDir(data);
      const pwfile = join(runDir(ctx), 'pwfile');
      ownedDir(runDir(ctx));
      writeFileSync(pwfile, `${secret(ctx, 'POSTGRES_PASSWORD')}\n`, { mode: 0o600 });
      if (asRoot()) chownSync(pwfile, osUser(OS_USER).uid, osUser(OS_USER).gid);
      run(bin('initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], { user });
    }
    ownedDir(runDir(ctx));
    return [
      startProcess({
        command: bin('postgres'),
        args: [
          '-D', data,
          '-p', String(ctx.ports.postgres),
          '-c', 'listen_addresses=127.0.0.1',
          '-c', `unix_socket_directories=${runDir(ctx)}`,
          '-c', 'fsync=off', // a local development stack: durability across power loss is not needed
          '-c', 'synchronous_commit=off',
          '-c', 'max_connections=200',
          '-c', `timezone=${ctx.manifest.project.timeZone}`,
        ],
        cwd: ctx.stateDir,
        log: join(ctx.stateDir, 'logs', 'postgres.log'),
        user,
      }),
    ];
  },

  async ready(ctx) {
    await waitFor('postgres', async () => spawnSync(bin('pg_isready'), ['-h', '127.0.0.1', '-p', String(ctx.ports.postgres)]).status === 0, {
      timeoutMs: 60_000,
    });
  },

  /** Creates the database and applies postgres/init/* once, like the postgres image's entrypoint. */
  async afterStart(ctx) {
    const env = postgresEnv(ctx);
    const db = env.PGDATABASE!;
    const exists = run('psql', ['-d', 'postgres', '-tAc', `SELECT 1 FROM pg_database WHERE datname = '${db}'`], { env }).trim() === '1';
    if (exists) return;
    run('psql', ['-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE "${db}"`], { env });
    const initDir = join(ctx.projectDir, 'postgres', 'init');
    const scriptEnv = { ...ctx.secrets, ...env, POSTGRES_USER: 'postgres', POSTGRES_DB: db };
    for (const script of existsSync(initDir) ? readdirSync(initDir).sort() : []) {
      const path = join(initDir, script);
      if (script.endsWith('.sh')) run('bash', [path], { env: scriptEnv });
      else if (script.endsWith('.sql')) run('psql', ['-v', 'ON_ERROR_STOP=1', '-q', '-f', path], { env: scriptEnv });
    }
  },

  addresses(ctx) {
    return { POSTGRES_HOST: '127.0.0.1', POSTGRES_PORT: String(ctx.ports.postgres), POSTGRES_DB: databaseName(ctx.manifest) };
  },
};
