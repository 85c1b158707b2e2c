// The stack command without starting engines: its one-line errors, and the kind driver's kubectl calls.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('rejects an unknown command with the usage', () => {
    const result = stack(['restart'], renderToDir());
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe('error: unknown stack command "restart"');
    expect(result.stderr).toContain('up [--only a,b]');
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
    writeFileSync(join(bin, 'kubectl'), `#!/bin/sh\necho "$*" >> ${calls}\n[ "$3" = logs ] && echo "dbt: Completed successfully"\nexit 0\n`, { mode: 0o755 });
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
