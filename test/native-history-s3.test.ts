// The native stack's history path without the rest of the stack: SeaweedFS as the native driver runs it (weed built
// from its Go module, the project's key pair as its only identity, the bucket created) and the Flink SQL runner's
// MiniCluster writing a partitioned filesystem sink to s3:// through Flink's S3 plugin, with the FLINK_PROPERTIES
// and FLINK_PLUGINS_DIR the driver gives it. The objects are read back with the generated projects' S3 helper.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../manifest/schema.ts';
import { cacheDir, type NativeContext } from '../stack/native/context.ts';
import { flinkEnv, flinkPluginsDir, installS3Plugin, s3FlinkProperties } from '../stack/native/flink.ts';
import { freePort } from '../stack/native/ports.ts';
import { stopProcess } from '../stack/native/processes.ts';
import { HISTORY_BUCKET, s3Endpoint, seaweedfs, serverArgs, weed } from '../stack/native/seaweedfs.ts';
import { getObject, listKeys, s3 } from '../blueprints/base/files/test/e2e/helpers/s3.ts';
import { tempDir } from './helpers/cli.ts';
import { runFlinkSql } from './helpers/flink.ts';
import { renderToDir } from './helpers/render.ts';

const dir = tempDir('iotp-s3-');
const ctx: NativeContext = {
  projectDir: dir,
  manifest: { components: ['history'], project: { name: 's3-test' } } as unknown as Manifest,
  secrets: { S3_ACCESS_KEY: randomBytes(10).toString('hex'), S3_SECRET_KEY: randomBytes(24).toString('base64url') },
  stateDir: join(dir, '.stack'),
  cacheDir: cacheDir(),
  ports: {},
};
let pids: number[] = [];

beforeAll(async () => {
  for (const port of seaweedfs.ports(ctx)) ctx.ports[port] = await freePort();
  await seaweedfs.install!(ctx); // weed from its Go module, once (minutes)
  installS3Plugin(ctx.cacheDir);
  pids = await seaweedfs.start(ctx);
  await seaweedfs.ready(ctx);
  await seaweedfs.afterStart!(ctx);
  Object.assign(s3, { endpoint: s3Endpoint(ctx), bucket: HISTORY_BUCKET, accessKey: ctx.secrets.S3_ACCESS_KEY, secretKey: ctx.secrets.S3_SECRET_KEY });
}, 1_800_000);

afterAll(async () => {
  for (const pid of pids) await stopProcess(pid);
});

describe('native SeaweedFS', () => {
  it('serves the history bucket to the project key pair only', async () => {
    expect(await listKeys('none/')).toEqual([]);
    expect((await fetch(`${s3Endpoint(ctx)}/${HISTORY_BUCKET}/`)).status).toBe(403); // anonymous
    // The filer's own HTTP API (loopback) wants a signed token for reads and writes: S3 is the way in.
    const filer = `http://127.0.0.1:${ctx.ports.seaweedfsFiler}/buckets/${HISTORY_BUCKET}/`;
    expect((await fetch(filer)).status).toBe(401);
    expect((await fetch(`${filer}x.txt`, { method: 'PUT', body: 'x' })).status).toBe(401);
    const wrong = { ...s3 };
    Object.assign(s3, { secretKey: 'not-the-secret' });
    try {
      await expect(listKeys('none/')).rejects.toThrow(/^S3 GET \/history\/: 403 /);
    } finally {
      Object.assign(s3, wrong);
    }
  });

  it('gives Flink the S3 path, settings and plugin folder of history (and none without it)', () => {
    const env = flinkEnv({ ...ctx, secrets: { ...ctx.secrets, POSTGRES_FLINK_PASSWORD: 'x' }, ports: { ...ctx.ports, kafka: 1, postgres: 2, flink: 3 } });
    expect(env.S3_HISTORY_PATH).toBe('s3://history');
    expect(env.FLINK_PLUGINS_DIR).toBe(flinkPluginsDir(ctx.cacheDir));
    expect(env.FLINK_PROPERTIES!.split('\n')).toEqual([
      `s3.endpoint: http://127.0.0.1:${ctx.ports.s3}`,
      's3.path.style.access: true',
      `s3.access-key: ${ctx.secrets.S3_ACCESS_KEY}`,
      `s3.secret-key: ${ctx.secrets.S3_SECRET_KEY}`,
    ]);
    const without = flinkEnv({
      ...ctx,
      manifest: { components: [], project: { name: 's3-test' } } as unknown as Manifest,
      secrets: { POSTGRES_FLINK_PASSWORD: 'x' },
      ports: { kafka: 1, postgres: 2, flink: 3 },
    });
    expect(Object.keys(without).filter((k) => /S3|PLUGINS|PROPERTIES/.test(k))).toEqual([]);
  });

  it('takes a streaming filesystem sink from the runner MiniCluster through the S3 plugin, committed on checkpoints', async () => {
    const prefix = `runner-${randomBytes(4).toString('hex')}`;
    const sql = join(dir, 'sql');
    mkdirSync(sql, { recursive: true });
    const job = join(sql, 'to-s3.sql');
    writeFileSync(
      job,
      `SET 'execution.checkpointing.interval' = '1 s';
CREATE TABLE notes (id INT, note STRING, dt STRING) PARTITIONED BY (dt) WITH (
  'connector' = 'filesystem', 'path' = '\${S3_HISTORY_PATH}/${prefix}', 'format' = 'json', 'auto-compaction' = 'true');
INSERT INTO notes VALUES (1, 'a', '2026-03-02'), (2, 'b', '2026-03-02'), (3, CAST(NULL AS STRING), '2026-03-03');
`,
    );
    const result = runFlinkSql([job], {
      S3_HISTORY_PATH: `s3://${HISTORY_BUCKET}`,
      FLINK_PROPERTIES: s3FlinkProperties(ctx),
      FLINK_PLUGINS_DIR: flinkPluginsDir(ctx.cacheDir),
      FLINK_PARALLELISM: '1',
    });
    expect(result.code, `${result.stderr}\n${result.stdout}`.slice(-4000)).toBe(0);
    const keys = await listKeys(`${prefix}/`);
    const committed = keys.filter((k) => !/^[._]/.test(k.slice(k.lastIndexOf('/') + 1)));
    expect(committed.map((k) => k.replace(/[^/]+$/, ''))).toEqual([`${prefix}/dt=2026-03-02/`, `${prefix}/dt=2026-03-03/`]);
    const lines = (await Promise.all(committed.map((k) => getObject(k)))).flatMap((text) => text.split('\n').filter(Boolean));
    expect(lines.sort()).toEqual(['{"id":1,"note":"a"}', '{"id":2,"note":"b"}', '{"id":3,"note":null}']);
  }, 300_000);
});

describe('SeaweedFS on every stack: the flags compose, the chart and the native stack give `weed server`', () => {
  /** The flag names of `weed server` of the release the images and the native stack share. */
  const help = () => {
    const result = spawnSync(weed(), ['server', '-h'], { encoding: 'utf8' });
    return `${result.stdout}${result.stderr}`;
  };
  const known = () => new Set([...help().matchAll(/^\s+-([\w.]+)/gm)].map((m) => m[1]!));
  /** Flag names after `server` in the shell command `exec weed … server -a=b -c \` (continued lines included). */
  const serverFlags = (script: string) => {
    const lines = script.slice(script.indexOf('exec weed')).split('\n');
    const command = lines.slice(0, lines.findIndex((line) => !line.trimEnd().endsWith('\\')) + 1).join(' ');
    const words = command.split(/\s+/).filter((w) => w && w !== '\\');
    return words.slice(words.indexOf('server') + 1).map((w) => w.replace(/^-/, '').split('=')[0]!);
  };

  it('are all flags of that release', () => {
    const flags = known();
    expect(flags.has('s3.config')).toBe(true);
    const compose = parse(readFileSync(join(renderToDir({ components: ['history'] }), 'compose.yaml'), 'utf8')) as { services: { seaweedfs: { command: string[] } } };
    const chart = readFileSync(fileURLToPath(new URL('../charts/iot-platform/templates/seaweedfs.yaml', import.meta.url)), 'utf8');
    const args = serverArgs(ctx, 's3.json');
    const native = args.slice(args.indexOf('server') + 1).map((a) => a.slice(1).split('=')[0]!);
    const sources = { compose: serverFlags(compose.services.seaweedfs.command.join('\n')), chart: serverFlags(chart), native };
    for (const [source, used] of Object.entries(sources)) {
      expect(used.length, source).toBeGreaterThan(5);
      expect(used.filter((flag) => !flags.has(flag)), `${source}: flags weed server does not have`).toEqual([]);
    }
  });
});
