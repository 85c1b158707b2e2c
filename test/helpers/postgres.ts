// Test helper: a throwaway PostgreSQL cluster (initdb + pg_ctl) in a temporary folder on a free port.
// The server binaries come from scripts/ensure-postgres.sh (system packages). PostgreSQL refuses to run as
// root, so when the tests run as root the server runs as the `postgres` OS user.
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTool } from './ensure.ts';

export interface PostgresCluster {
  host: string;
  port: number;
  /** Superuser (trust authentication on 127.0.0.1 only). */
  user: string;
  binDir: string;
  dataDir: string;
  /** Runs SQL through psql as `user` (default: the superuser) and returns its unaligned, tuples-only output. */
  psql(sql: string, options?: { database?: string; user?: string }): string;
  /** Runs a SQL file through psql with ON_ERROR_STOP. */
  psqlFile(file: string, options?: { database?: string; user?: string }): string;
  createDatabase(name: string): void;
  stop(): void;
}

/** Installs PostgreSQL if needed (apt) and returns its bin directory; throws with the script's message. */
export function ensurePostgres(): string {
  return ensureTool('ensure-postgres.sh');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Runs a server binary, as the `postgres` OS user when we are root. */
function runServerTool(binDir: string, tool: string, args: string[], options: ExecFileSyncOptions = {}): string {
  const command = join(binDir, tool);
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options }) as string;
}

export async function startPostgres(): Promise<PostgresCluster> {
  const binDir = ensurePostgres();
  const baseDir = mkdtempSync(join(tmpdir(), 'iotp-pg-'));
  const dataDir = join(baseDir, 'data');
  const socketDir = join(baseDir, 'socket');
  mkdirSync(dataDir);
  mkdirSync(socketDir);
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    for (const dir of [baseDir, dataDir, socketDir]) chownSync(dir, uid, gid);
  }
  const user = 'postgres';
  runServerTool(binDir, 'initdb', ['-D', dataDir, '-U', user, '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '-N']);
  const port = await freePort();
  const logFile = join(baseDir, 'postgres.log');
  const serverOptions = [
    `-p ${port}`,
    `-k ${socketDir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    "-c timezone='UTC'",
  ].join(' ');
  try {
    runServerTool(binDir, 'pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
  } catch (error) {
    let log = '';
    try {
      log = readFileSync(logFile, 'utf8');
    } catch {
      /* no log yet */
    }
    throw new Error(`pg_ctl start failed: ${(error as Error).message}\n${log}`);
  }
  const host = '127.0.0.1';
  const psqlArgs = (database: string, asUser: string) => [
    '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', host, '-p', String(port), '-U', asUser, '-d', database,
  ];
  const psqlBin = join(binDir, 'psql');
  const cluster: PostgresCluster = {
    host,
    port,
    user,
    binDir,
    dataDir,
    psql(sql, options = {}) {
      return execFileSync(psqlBin, [...psqlArgs(options.database ?? 'postgres', options.user ?? user), '-c', sql], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
    },
    psqlFile(file, options = {}) {
      return execFileSync(psqlBin, [...psqlArgs(options.database ?? 'postgres', options.user ?? user), '-f', file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
    },
    createDatabase(name) {
      cluster.psql(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    },
    stop() {
      try {
        runServerTool(binDir, 'pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(baseDir, { recursive: true, force: true });
      }
    },
  };
  return cluster;
}
