// The kind (Kubernetes) driver of `stack`: the e2e-kind workflow installs the chart and writes
// .stack/addresses.env (with KUBE_RELEASE and KUBE_NAMESPACE); this gives the e2e tests the same
// component drills and dbt runs there as on compose and native, through kubectl.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../cli/errors.ts';
import { parseEnvFile } from './native/context.ts';
import { ADDRESSES_FILE } from './native/driver.ts';

interface Release {
  name: string;
  namespace: string;
  /** The chart's resource prefix (iot-platform.fullname: the release name cut to 40 characters). */
  prefix: string;
}

function release(cwd: string): Release {
  const file = join(cwd, '.stack', ADDRESSES_FILE);
  const addresses = parseEnvFile(readFileSync(file, 'utf8'), file);
  const name = addresses.KUBE_RELEASE;
  if (!name) throw new UserError(`${file}: KUBE_RELEASE missing; it is written by the e2e-kind workflow's port-forward step`);
  return { name, namespace: addresses.KUBE_NAMESPACE ?? name, prefix: name.slice(0, 40).replace(/-+$/, '') };
}

function kubectl(args: string[], namespace: string): string {
  const result = spawnSync('kubectl', ['-n', namespace, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.error) throw new UserError('kubectl is not available; install it to drive a Kubernetes stack');
  if (result.status !== 0) throw new UserError(`kubectl ${args.slice(0, 3).join(' ')} failed (exit ${result.status})`);
  return result.stdout;
}

/**
 * kill: no replica and its pods removed without grace (a crash); start: one replica again, rolled out.
 * `flink` names every Flink job of the release (one FlinkDeployment each, run by the Flink Kubernetes Operator):
 * kill suspends them and start resumes them, waiting until each job runs. With the chart's default upgradeMode
 * `stateless` a resumed job starts afresh from the offsets its consumer groups committed; with `last-state` it
 * resumes from its last checkpoint.
 */
export function kindComponent(cwd: string, component: string, action: 'kill' | 'start', out: (line: string) => void): void {
  const { name, namespace, prefix } = release(cwd);
  if (component === 'flink') {
    flinkJobs(name, namespace, action);
    out(`  ✔ ${action === 'kill' ? 'suspended' : 'resumed'} the Flink jobs`);
    return;
  }
  const deployment = `deployment/${prefix}-${component}`;
  if (action === 'kill') {
    kubectl(['scale', deployment, '--replicas=0'], namespace);
    kubectl(['delete', 'pod', '-l', `app.kubernetes.io/instance=${name},app.kubernetes.io/name=${component}`, '--grace-period=0', '--force', '--wait=true'], namespace);
  } else {
    kubectl(['scale', deployment, '--replicas=1'], namespace);
    kubectl(['rollout', 'status', deployment, '--timeout=180s'], namespace);
  }
  out(`  ✔ ${action === 'kill' ? 'killed' : 'started'} ${component}`);
}

function flinkJobs(release: string, namespace: string, action: 'kill' | 'start'): void {
  const jobs = kubectl(['get', 'flinkdeployment', '-l', `app.kubernetes.io/instance=${release},app.kubernetes.io/name=flink`, '-o', 'name'], namespace)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (jobs.length === 0) throw new UserError(`no FlinkDeployment of release ${release} in namespace ${namespace}`);
  const state = action === 'kill' ? 'suspended' : 'running';
  for (const job of jobs) kubectl(['patch', job, '--type', 'merge', '-p', JSON.stringify({ spec: { job: { state } } })], namespace);
  const condition = action === 'kill' ? 'jsonpath={.status.lifecycleState}=SUSPENDED' : 'jsonpath={.status.jobStatus.state}=RUNNING';
  kubectl(['wait', ...jobs, `--for=${condition}`, '--timeout=300s'], namespace);
}

/** Runs the chart's dbt CronJob once (it runs `dbt build`) and waits for it. */
export function kindDbt(cwd: string, args: string[], out: (line: string) => void): void {
  if (args.length && args.join(' ') !== 'build') {
    throw new UserError(`on Kubernetes the dbt CronJob runs "dbt build"; run other dbt commands against a port-forward`);
  }
  const { namespace, prefix } = release(cwd);
  const job = `${prefix}-dbt-${Date.now().toString(36)}`.slice(0, 63);
  kubectl(['create', 'job', job, `--from=cronjob/${prefix}-dbt`], namespace);
  const waited = spawnSync('kubectl', ['-n', namespace, 'wait', `job/${job}`, '--for=condition=complete', '--timeout=600s'], { stdio: 'inherit' });
  out(kubectl(['logs', `job/${job}`], namespace));
  if (waited.status !== 0) throw new UserError(`dbt job ${job} did not complete; see: kubectl -n ${namespace} describe job/${job}`);
}
