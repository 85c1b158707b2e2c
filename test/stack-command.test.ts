// The stack command without starting engines: its one-line errors, and the kind driver's kubectl calls.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from './helpers/cli.ts';
import { renderToDir } from './helpers/render.ts';

function stack(args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, 'stack', ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, input: '' });
  return { code: result.status, stderr: result.stderr.trim() };
}

describe('stack', () => {
  it('names the manifest it needs outside a project', () => {
    const cwd = tempDir();
    expect(stack(['up', '--native'], cwd)).toEqual({ code: 1, stderr: `error: ${cwd}/iot-platform.yaml: not found; run the stack from the root of a generated project` });
  });

  it('names a missing prerequisite and how to install it', () => {
    const project = renderToDir({ components: ['redis'] });
    // Only node itself on PATH: no psql, redis-server, mosquitto, java.
    const result = stack(['up', '--native'], project, { PATH: dirname(process.execPath) });
    expect(result).toEqual({ code: 1, stderr: 'error: native stack needs "psql" for postgres; install it (apt-get install postgresql) and retry' });
  });

  it('says which components of the project the native stack does not run, and why, before anything starts', () => {
    const project = renderToDir({ components: ['redis', 'observability'] });
    const result = spawnSync(process.execPath, [BIN, 'stack', 'up', '--native'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, PATH: dirname(process.execPath) },
      input: '',
    });
    expect(result.stdout.trim().split('\n')).toEqual([
      `Starting the native stack in ${project}`,
      '  – observability    not run natively: Elasticsearch, Logstash and Kibana run on compose and Kubernetes only (docker compose up, or the chart)',
    ]);
    expect(result.stderr.trim()).toBe('error: native stack needs "psql" for postgres; install it (apt-get install postgresql) and retry');
    // Without the component, nothing is said.
    const other = renderToDir({ components: ['redis', 'history'] });
    const plain = spawnSync(process.execPath, [BIN, 'stack', 'up', '--native'], { cwd: other, encoding: 'utf8', env: { ...process.env, PATH: dirname(process.execPath) }, input: '' });
    expect(plain.stdout.trim().split('\n')).toEqual([`Starting the native stack in ${other}`]);
  });

  it('rejects an unknown command with the usage', () => {
    const result = stack(['restart'], renderToDir());
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe('error: unknown stack command "restart"');
    expect(result.stderr).toContain('up [--only a,b]');
  });

  it('stops and purges a native stack whose up did not finish (state written, no addresses yet) without --native', async () => {
    const project = renderToDir();
    mkdirSync(join(project, '.stack', 'logs'), { recursive: true });
    // A component process as up starts it (own process group), recorded before any addresses are written.
    const child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    child.unref();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    writeFileSync(join(project, '.stack', 'state.json'), JSON.stringify({ ports: { redis: 1 }, components: [{ name: 'redis', pids: [child.pid] }] }));
    // No docker here: taken for a compose stack, down would fail. (Run without blocking: this process reaps the child.)
    const down = spawn(process.execPath, [BIN, 'stack', 'down', '--purge'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    down.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    down.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => down.once('close', resolve));
    expect(code, output).toBe(0);
    expect(output).toMatch(/✔ stopped redis +\(\d+\.\d s\)/);
    await exited;
    expect(readdirSync(project)).not.toContain('.stack');
  });

  it('says when the native stack is not running', () => {
    expect(stack(['dbt', 'build', '--native'], renderToDir())).toEqual({
      code: 1,
      stderr: 'error: the native stack is not running; start it with: npm run stack -- up --native',
    });
  });
});

describe('stack on a kind cluster (kubectl stands in: no cluster here)', () => {
  function kindProject() {
    const project = renderToDir();
    mkdirSync(join(project, '.stack'));
    writeFileSync(join(project, '.stack', 'addresses.env'), 'STACK_DRIVER=kind\nKUBE_RELEASE=demo\nKUBE_NAMESPACE=iot\n');
    const bin = tempDir('iotp-kubectl-');
    const calls = join(bin, 'calls.txt');
    writeFileSync(
      join(bin, 'kubectl'),
      `#!/bin/sh\necho "$*" >> ${calls}\n[ "$3" = logs ] && echo "dbt: Completed successfully"\n` +
        `[ "$3" = get ] && printf 'flinkdeployment.flink.apache.org/demo-20-enrichment\\nflinkdeployment.flink.apache.org/demo-30-summary\\n'\nexit 0\n`,
      { mode: 0o755 },
    );
    return { project, env: { PATH: `${bin}:${process.env.PATH}` }, calls: () => readFileSync(calls, 'utf8').trim().split('\n') };
  }

  it('kills and restarts a component through its Deployment', () => {
    const { project, env, calls } = kindProject();
    expect(stack(['kill', 'redis-sink'], project, env).code).toBe(0);
    expect(stack(['start', 'redis-sink'], project, env).code).toBe(0);
    expect(calls()).toEqual([
      '-n iot scale deployment/demo-redis-sink --replicas=0',
      '-n iot delete pod -l app.kubernetes.io/instance=demo,app.kubernetes.io/name=redis-sink --grace-period=0 --force --wait=true',
      '-n iot scale deployment/demo-redis-sink --replicas=1',
      '-n iot rollout status deployment/demo-redis-sink --timeout=180s',
    ]);
  });

  it('suspends and resumes every Flink job of the release for flink, waiting for each state', () => {
    const { project, env, calls } = kindProject();
    expect(stack(['kill', 'flink'], project, env).code).toBe(0);
    expect(stack(['start', 'flink'], project, env).code).toBe(0);
    const jobs = ['flinkdeployment.flink.apache.org/demo-20-enrichment', 'flinkdeployment.flink.apache.org/demo-30-summary'];
    const list = '-n iot get flinkdeployment -l app.kubernetes.io/instance=demo,app.kubernetes.io/name=flink -o name';
    expect(calls()).toEqual([
      list,
      ...jobs.map((j) => `-n iot patch ${j} --type merge -p {"spec":{"job":{"state":"suspended"}}}`),
      `-n iot wait ${jobs.join(' ')} --for=jsonpath={.status.lifecycleState}=SUSPENDED --timeout=300s`,
      list,
      ...jobs.map((j) => `-n iot patch ${j} --type merge -p {"spec":{"job":{"state":"running"}}}`),
      `-n iot wait ${jobs.join(' ')} --for=jsonpath={.status.jobStatus.state}=RUNNING --timeout=300s`,
    ]);
  });

  it('runs dbt build as a Job from the chart CronJob and refuses up', () => {
    const { project, env, calls } = kindProject();
    expect(stack(['dbt', 'build'], project, env).code).toBe(0);
    const [create, wait, logs] = calls();
    expect(create).toMatch(/^-n iot create job demo-dbt-[a-z0-9]+ --from=cronjob\/demo-dbt$/);
    expect(wait).toMatch(/^-n iot wait job\/demo-dbt-[a-z0-9]+ --for=condition=complete --timeout=600s$/);
    expect(logs).toMatch(/^-n iot logs job\/demo-dbt-[a-z0-9]+$/);
    expect(stack(['up'], project, env)).toEqual({ code: 1, stderr: 'error: stack up: the Kubernetes stack is run by Helm (README "On Kubernetes"); use kubectl or helm for it' });
  });
});

describe('stack on compose (docker stands in: no Docker here)', () => {
  it('kills the Flink cluster for flink and, started again, waits until every job of flink/sql runs', async () => {
    const project = renderToDir();
    mkdirSync(join(project, '.stack'));
    writeFileSync(join(project, '.stack', 'addresses.env'), 'STACK_DRIVER=compose\n');
    const jobs = readdirSync(join(project, 'flink/sql')).filter((f) => f.endsWith('.sql'));
    expect(jobs.length).toBeGreaterThan(1);
    // The JobManager's REST API: the jobs come up one after another after the restart.
    let polls = 0;
    const server = createServer((_request, response) => {
      polls += 1;
      const running = Math.min(polls - 1, jobs.length);
      response.end(JSON.stringify({ jobs: jobs.map((f, i) => ({ name: f, state: i < running ? 'RUNNING' : 'CREATED' })) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const bin = tempDir('iotp-docker-');
    const calls = join(bin, 'calls.txt');
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\necho "$*" >> ${calls}\n[ "$2" = port ] && echo 127.0.0.1:${port}\nexit 0\n`, { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'stack', ...args], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.on('close', (code) => resolve({ code, stdout }));
      });
    try {
      expect(await run(['kill', 'flink'])).toEqual({ code: 0, stdout: '  ✔ killed flink\n' });
      expect(await run(['start', 'flink'])).toEqual({ code: 0, stdout: '  ✔ started flink\n' });
    } finally {
      server.close();
    }
    expect(polls).toBe(jobs.length + 1); // it waited until the last job ran, and no longer
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      'compose kill flink-jobmanager flink-taskmanager',
      'compose up -d --wait flink-jobmanager flink-taskmanager',
      'compose port flink-jobmanager 8081',
    ]);
  }, 60_000);
});
