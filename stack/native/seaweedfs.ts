// SeaweedFS natively (only with the `history` component): the S3-compatible store Flink's history job writes to,
// the same `weed server -filer -s3` as compose and the chart run, built from its Go module into the cache
// (scripts/ensure-seaweedfs.sh), on free loopback ports, with the project's S3 credentials (.env) as its only
// identity. Anonymous requests are refused; the history bucket is created once it serves.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../renderer/package-root.ts';
import type { NativeComponent } from './component.ts';
import { secret, type NativeContext } from './context.ts';
import { startProcess } from './processes.ts';
import { httpOk, tcpOpen, waitFor } from '../wait.ts';

/** The bucket of the history component on every stack (compose S3_BUCKET, chart seaweedfs.bucket). */
export const HISTORY_BUCKET = 'history';

const PORTS = ['s3', 's3Grpc', 'seaweedfsMaster', 'seaweedfsMasterGrpc', 'seaweedfsVolume', 'seaweedfsVolumeGrpc', 'seaweedfsFiler', 'seaweedfsFilerGrpc'];

let weedBinary: string | undefined;

/** Builds weed if needed (Go module proxy, once per version) and returns its path. */
export function weed(): string {
  if (weedBinary) return weedBinary;
  const result = spawnSync('bash', [join(packageRoot(), 'scripts', 'ensure-seaweedfs.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error('could not build SeaweedFS (weed) from its Go module (see the output above)');
  return (weedBinary = result.stdout.trim().split('\n').pop()!);
}

/** A SeaweedFS address with its gRPC port ("host:port.grpcPort"): the gRPC port is not the default port + 10000. */
const address = (ctx: NativeContext, http: string) => `127.0.0.1:${ctx.ports[http]}.${ctx.ports[`${http}Grpc`]}`;

export const s3Endpoint = (ctx: Pick<NativeContext, 'ports'>) => `http://127.0.0.1:${ctx.ports.s3}`;

/** The S3 identity file: the project's access key pair, allowed everything (it is the platform's own identity). */
function identities(ctx: NativeContext): string {
  const dir = join(ctx.stateDir, 'run', 'seaweedfs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 's3.json');
  const identity = {
    name: 'platform',
    credentials: [{ accessKey: secret(ctx, 'S3_ACCESS_KEY'), secretKey: secret(ctx, 'S3_SECRET_KEY') }],
    actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'],
  };
  writeFileSync(file, JSON.stringify({ identities: [identity] }), { mode: 0o600 });
  return file;
}

/**
 * The arguments of `weed server` for this run: compose's flags, with every port chosen and loopback only. The
 * filer's embedded store goes to <dir>/filerldb2 (`weed server` has no -filer.defaultStoreDir).
 */
export function serverArgs(ctx: NativeContext, s3Config: string): string[] {
  const data = join(ctx.stateDir, 'data', 'seaweedfs');
  const p = (name: string) => String(ctx.ports[name]);
  return [
    '-logtostderr=true',
    'server',
    `-dir=${data}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    '-volume.max=0',
    // a local store: small volumes (sparse files), so the auto-sized volume count fits any free disk
    '-master.volumeSizeLimitMB=1024',
    '-master.telemetry=false',
    `-master.port=${p('seaweedfsMaster')}`,
    `-master.port.grpc=${p('seaweedfsMasterGrpc')}`,
    `-volume.port=${p('seaweedfsVolume')}`,
    `-volume.port.grpc=${p('seaweedfsVolumeGrpc')}`,
    '-filer',
    `-filer.port=${p('seaweedfsFiler')}`,
    `-filer.port.grpc=${p('seaweedfsFilerGrpc')}`,
    '-s3',
    `-s3.port=${p('s3')}`,
    `-s3.port.grpc=${p('s3Grpc')}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    `-s3.config=${s3Config}`,
  ];
}

/** Runs one `weed shell` command against this stack's master and filer; returns its output. */
function shell(ctx: NativeContext, command: string): string {
  const result = spawnSync(weed(), ['shell', `-master=${address(ctx, 'seaweedfsMaster')}`, `-filer=${address(ctx, 'seaweedfsFiler')}`], {
    input: `${command}\n`,
    encoding: 'utf8',
    env: { ...process.env, HOME: join(ctx.stateDir, 'run', 'seaweedfs') },
    timeout: 30_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`weed shell "${command}" failed (exit ${result.status ?? result.signal}): ${output.trim().split('\n').slice(-3).join(' ')}`);
  return output;
}

/**
 * Fresh JWT signing keys for each start (one process signs and checks them): the master/filer/volume HTTP ports
 * on loopback then refuse unsigned writes, and the filer unsigned reads, so the S3 identity is the way in. (Filer
 * gRPC stays open on loopback, as on compose's network: SeaweedFS protects it with mTLS only.)
 */
function signingKeys(): Record<string, string> {
  const key = () => randomBytes(32).toString('base64url');
  return { WEED_JWT_SIGNING_KEY: key(), WEED_JWT_FILER_SIGNING_KEY: key(), WEED_JWT_FILER_SIGNING_READ_KEY: key() };
}

const hasBucket = (ctx: NativeContext) => shell(ctx, 's3.bucket.list').split('\n').some((line) => line.trim().split(/\s+/)[0] === HISTORY_BUCKET);

export const seaweedfs: NativeComponent = {
  name: 'seaweedfs',
  prerequisites: [],
  enabled: (ctx) => ctx.manifest.components.includes('history'),
  ports: () => PORTS,

  async install() {
    weed();
  },

  async start(ctx) {
    mkdirSync(join(ctx.stateDir, 'data', 'seaweedfs'), { recursive: true });
    return [
      startProcess({
        command: weed(),
        args: serverArgs(ctx, identities(ctx)),
        env: signingKeys(),
        cwd: ctx.stateDir,
        log: join(ctx.stateDir, 'logs', 'seaweedfs.log'),
      }),
    ];
  },

  async ready(ctx) {
    await waitFor('seaweedfs master', () => httpOk(`http://127.0.0.1:${ctx.ports.seaweedfsMaster}/cluster/status`), { timeoutMs: 60_000 });
    await waitFor('seaweedfs filer', () => tcpOpen(ctx.ports.seaweedfsFiler!), { timeoutMs: 60_000 });
    // The S3 gateway serves once it has loaded the identities: an anonymous request is then refused (403).
    await waitFor(
      'seaweedfs S3 (refusing anonymous requests)',
      async () => (await fetch(`${s3Endpoint(ctx)}/`, { signal: AbortSignal.timeout(2000) })).status === 403,
      { timeoutMs: 60_000 },
    );
  },

  async afterStart(ctx) {
    // The volume server may still be registering with the master: retry until the bucket is listed.
    await waitFor(
      `seaweedfs bucket ${HISTORY_BUCKET}`,
      async () => {
        if (!hasBucket(ctx)) shell(ctx, `s3.bucket.create -name ${HISTORY_BUCKET}`);
        return hasBucket(ctx);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  },

  addresses(ctx) {
    return { S3_ENDPOINT: s3Endpoint(ctx), S3_BUCKET: HISTORY_BUCKET };
  },
};

