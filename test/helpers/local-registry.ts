// A local npm registry for tests of the published path: verdaccio (from node_modules) in a child process on
// 127.0.0.1 at a free port, storage in a temp folder. create-iot-platform is publish-only there (no uplink), so
// the only create-iot-platform npm can install is the tarball packed from this checkout; every other package is
// proxied from the registry npm is configured with (`npm config get registry`, read at run time).
//
// `npmEnv` is a whole environment for npm children: no inherited npm_config_*, the local registry, an empty
// user and global config (a fresh machine), and a private cache folder whose content store (_cacache) is the
// shared one, for speed. Sharing it is safe: packuments are keyed by URL (ours is 127.0.0.1:<port>) and
// tarballs by integrity; `_npx`, where `npm create` keeps the packages it ran, stays private, so neither a
// create-iot-platform from the real registry nor one from an earlier run can be picked up.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { packCheckout, type PackedCheckout } from './pack-checkout.ts';
import { waitFor } from './wait-for.ts';

export const PLATFORM_PACKAGE = 'create-iot-platform';

export interface LocalRegistry {
  /** http://127.0.0.1:<port>/ */
  url: string;
  /** The environment to run npm (and anything that runs npm) with. */
  npmEnv: NodeJS.ProcessEnv;
  /** The tarball of this checkout, published, when startLocalRegistry({ publish: true }). */
  published?: PackedCheckout;
  /** Temp folder of the registry (storage, config, log, npm config, packed tarball). */
  dir: string;
  stop(): Promise<void>;
}

export async function startLocalRegistry(options: { publish?: boolean } = {}): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'iotp-registry-'));
  const upstream = npmConfig('registry');
  const sharedCache = npmConfig('cache');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  writeFileSync(join(dir, 'config.yaml'), stringify(verdaccioConfig(dir, upstream)));

  const log = join(dir, 'verdaccio.log');
  const logFd = openSync(log, 'a');
  const child = spawn(process.execPath, [verdaccioBin(), '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    detached: true, // its own process group: stop() ends it and anything it started
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  let exited = false;
  const exit = new Promise<void>((done) => child.once('exit', () => ((exited = true), done())));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const onProcessExit = () => killGroup('SIGKILL'); // the test process ends without stop(): no orphan
  process.once('exit', onProcessExit);

  const stop = async () => {
    process.removeListener('exit', onProcessExit);
    if (!exited) {
      killGroup('SIGTERM');
      const gone = await Promise.race([exit.then(() => true), delay(10_000).then(() => false)]);
      if (!gone) {
        killGroup('SIGKILL');
        await exit;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(`verdaccio answering on ${url}`, 60_000, async () => {
      if (exited) throw new Error(`verdaccio exited at start: ${logTail(log)}`);
      return (await request(`${url}-/ping`).catch(() => undefined))?.ok === true;
    });
    const token = await addUser(url);
    const registryLine = `registry=${url}\n`;
    writeFileSync(join(dir, 'publish.npmrc'), `${registryLine}//127.0.0.1:${port}/:_authToken=${token}\n`);
    writeFileSync(join(dir, 'user.npmrc'), registryLine);
    writeFileSync(join(dir, 'global.npmrc'), '');
    const cache = join(dir, 'npm-cache');
    mkdirSync(join(sharedCache, '_cacache'), { recursive: true });
    mkdirSync(cache);
    symlinkSync(join(sharedCache, '_cacache'), join(cache, '_cacache'), 'dir');
    const npmEnv = npmEnvironment({ url, userconfig: join(dir, 'user.npmrc'), globalconfig: join(dir, 'global.npmrc'), cache });
    const registry: LocalRegistry = { url, npmEnv, dir, stop };
    if (options.publish) {
      const packed = packCheckout(dir);
      publish(packed, url, { ...npmEnv, npm_config_userconfig: join(dir, 'publish.npmrc') }, log);
      await checkOnlyOurs(url, packed);
      registry.published = packed;
    }
    return registry;
  } catch (error) {
    await stop();
    throw error;
  }
}

function verdaccioConfig(dir: string, upstream: string) {
  const proxies = Object.fromEntries(
    (['http_proxy', 'https_proxy', 'no_proxy'] as const)
      .map((key) => [key, process.env[key] ?? process.env[key.toUpperCase()]] as const)
      .filter(([, value]) => value),
  );
  return {
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 1 } },
    uplinks: { upstream: { url: upstream, timeout: '60s', max_fails: 5, fail_timeout: '1m' } },
    packages: {
      // No proxy: a create-iot-platform of the real registry is invisible here.
      [PLATFORM_PACKAGE]: { access: '$all', publish: '$authenticated', unpublish: '$authenticated' },
      '**': { access: '$all', publish: 'nobody', proxy: 'upstream' },
    },
    web: { enable: false },
    log: { type: 'stdout', format: 'pretty', level: 'warn' },
    max_body_size: '50mb',
    ...proxies,
  };
}

function npmEnvironment(paths: { url: string; userconfig: string; globalconfig: string; cache: string }): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)));
  return {
    ...env,
    npm_config_registry: paths.url,
    npm_config_userconfig: paths.userconfig,
    npm_config_globalconfig: paths.globalconfig,
    npm_config_cache: paths.cache,
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    NO_COLOR: '1',
  };
}

/** npm's own answer for a config key, with the caller's configuration (not the local registry's). */
function npmConfig(key: string): string {
  const result = spawnSync('npm', ['config', 'get', key], { encoding: 'utf8', timeout: 60_000 });
  const value = result.stdout?.trim();
  if (result.status !== 0 || !value || value === 'undefined') throw new Error(`npm config get ${key} failed: ${result.stderr}; check the npm configuration`);
  return value;
}

function verdaccioBin(): string {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('verdaccio/package.json');
  const bin = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin: string }).bin;
  const path = join(dirname(pkgFile), bin);
  if (!existsSync(path)) throw new Error(`verdaccio is not installed (${path} missing); run npm ci in the platform checkout`);
  return path;
}

async function addUser(url: string): Promise<string> {
  const name = 'iotp-test-publisher';
  const response = await request(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password: randomBytes(18).toString('hex'), type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const body = (await response.json()) as { token?: string; error?: string };
  if (!response.ok || !body.token) throw new Error(`verdaccio refused the test user (${response.status} ${body.error ?? ''}); see its config.yaml auth`);
  return body.token;
}

function publish(packed: PackedCheckout, url: string, env: NodeJS.ProcessEnv, log: string): void {
  const result = spawnSync('npm', ['publish', packed.path, '--registry', url, '--tag', 'latest', '--access', 'public'], {
    env,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (result.status !== 0) throw new Error(`npm publish to ${url} failed (exit ${result.status}): ${result.stderr.trim().split('\n').slice(-5).join(' | ')}; verdaccio: ${logTail(log)}`);
}

/** The registry serves exactly one create-iot-platform: the tarball just published. */
async function checkOnlyOurs(url: string, packed: PackedCheckout): Promise<void> {
  const packument = (await (await request(`${url}${PLATFORM_PACKAGE}`)).json()) as { versions?: Record<string, { dist: { integrity: string } }> };
  const versions = Object.keys(packument.versions ?? {});
  const integrity = packument.versions?.[packed.version]?.dist.integrity;
  if (versions.length !== 1 || integrity !== packed.integrity) {
    throw new Error(`local registry serves ${PLATFORM_PACKAGE} ${versions.join(', ') || 'none'} (integrity ${integrity}), expected only ${packed.version} (${packed.integrity}); the package must not be proxied`);
  }
}

/**
 * fetch on a fresh connection (the test blocks the event loop in spawnSync, so a kept-alive socket may be closed by
 * verdaccio unnoticed), with the URL in the error (undici's own says only "fetch failed").
 */
async function request(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), connection: 'close' } });
  } catch (error) {
    const cause = (error as { cause?: Error }).cause;
    throw new Error(`${init?.method ?? 'GET'} ${url} failed: ${cause?.message ?? (error as Error).message}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

const delay = (ms: number) => new Promise((done) => setTimeout(done, ms).unref());

const logTail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-10).join(' | ') : '(no log)');
