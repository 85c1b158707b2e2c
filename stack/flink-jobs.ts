// The Flink jobs of a project as every stack driver sees them: one job per flink/sql/*.sql, running when the
// cluster's REST API lists them as RUNNING.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WaitAborted } from './wait.ts';

/** How many jobs a project runs: one per flink/sql/*.sql. */
export const flinkJobCount = (projectDir: string): number =>
  readdirSync(join(projectDir, 'flink', 'sql')).filter((f) => f.endsWith('.sql')).length;

/** True when at least `expected` jobs of the Flink cluster at `url` (its REST API) are RUNNING; a FAILED job ends the wait. */
export async function flinkJobsRunning(url: string, expected: number): Promise<boolean> {
  const response = await fetch(`${url}/jobs/overview`, { signal: AbortSignal.timeout(2000) });
  const { jobs } = (await response.json()) as { jobs: { name: string; state: string }[] };
  const failed = jobs.find((j) => j.state === 'FAILED');
  if (failed) throw new WaitAborted(`job ${failed.name} FAILED`);
  return jobs.filter((j) => j.state === 'RUNNING').length >= expected;
}
