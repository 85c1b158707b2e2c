// The RICH blueprint's ring job (flink/sql/10-rings.sql and its tables) as a generated project renders it, with the
// tables' connectors swapped (files, print, blackhole) so that the job runs on the Flink SQL runner without Kafka or
// PostgreSQL: for bench:rich and the platform's trackless test. The job's SQL is the rendered one, less its Kafka
// consumer-group hints (options a file source rejects).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createManifest } from '../../manifest/create.ts';
import { parameterEnv } from '../../manifest/parameters.ts';
import { renderProject, type PlannedFile } from '../../renderer/render.ts';

export type RichMode = 'track' | 'trackless';

/** A RICH project's files and parameter environment; trackless: `create --variant trackless` (no tracks event nor topic). */
export function richProject(mode: RichMode): { files: PlannedFile[]; env: Record<string, string> } {
  const manifest = createManifest({
    blueprint: 'rich', name: 'my-rich', components: ['redis', 'api', 'dbt'], deploy: ['compose', 'native', 'kubernetes'],
    ...(mode === 'trackless' && { variant: 'trackless' }),
  });
  return { files: renderProject(manifest), env: parameterEnv(manifest) };
}

const quoted = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** A table definition with the options of its WITH clause replaced (the clause's closing parenthesis on a line of its own). */
export function withOptions(sql: string, options: Record<string, string>): string {
  const start = sql.search(/\bWITH \(/);
  const end = start < 0 ? -1 : sql.indexOf('\n)', start);
  if (end < 0) throw new Error(`no WITH (…) clause closing on its own line in ${sql.slice(0, 80)}`);
  const list = Object.entries(options).map(([k, v]) => `${quoted(k)} = ${quoted(v)}`).join(', ');
  return `${sql.slice(0, start)}WITH (${list})${sql.slice(end + 2)}`;
}

/**
 * Writes the rendered ring job of `files` into `dir` with every table's connector replaced: `connectors` names each
 * table file and its options, and must name exactly the files the project renders. `dropKeys`: table files whose
 * primary key goes (an append-only file sink takes none). Returns the tables folder and the job file for the runner.
 */
export function writeRichJob(dir: string, files: PlannedFile[], connectors: Record<string, Record<string, string>>, dropKeys: string[] = []): { tables: string; job: string } {
  const tables = join(dir, 'tables');
  mkdirSync(tables, { recursive: true });
  const rendered = files.filter((f) => f.path.startsWith('flink/tables/')).map((f) => f.path.slice('flink/tables/'.length)).sort();
  if (rendered.join() !== Object.keys(connectors).sort().join()) throw new Error(`the ring job's tables are ${rendered.join(', ')}, not ${Object.keys(connectors).sort().join(', ')}`);
  for (const [name, options] of Object.entries(connectors)) {
    let sql = withOptions(files.find((f) => f.path === `flink/tables/${name}`)!.content, options);
    if (dropKeys.includes(name)) sql = sql.replace(/,\s*PRIMARY KEY \([^)]*\) NOT ENFORCED/, '');
    writeFileSync(join(tables, name), sql);
  }
  const job = join(dir, '10-rings.sql');
  writeFileSync(job, files.find((f) => f.path === 'flink/sql/10-rings.sql')!.content.replace(/\/\*\+ OPTIONS\([^)]*\) \*\//g, ''));
  return { tables, job };
}
