// The merge/classification step of `upgrade` over in-memory file maps: no repository, no rendering.
import { describe, expect, it } from 'vitest';
import { detectRenames, planUpgrade, similarity, type FileStatus, type PlanInput } from '../upgrade/plan.ts';
import { gitMergeFile, mergeLabels, type Merge3 } from '../upgrade/merge.ts';
import { bumpDependency, formatReport, upgradedManifest } from '../upgrade/index.ts';
import { compareVersions, checkTarget } from '../upgrade/guards.ts';
import { sha256 } from '../renderer/lock.ts';
import { headerLine, withCurrentHeader, type Ownership } from '../renderer/ownership.ts';
import { renderProject } from '../renderer/render.ts';
import { blueprints } from '../renderer/catalog.ts';
import { createManifest } from '../manifest/create.ts';

/** A stand-in for git merge-file: takes the side that changed, marks a conflict when both did. */
const fakeMerge: Merge3 = (base, ours, theirs) => {
  if (ours === base || ours === theirs) return { content: theirs, conflicts: 0 };
  if (theirs === base) return { content: ours, conflicts: 0 };
  if (base && ours.startsWith(base) && theirs.startsWith(base)) return { content: `${theirs}${ours.slice(base.length)}`, conflicts: 0 };
  return { content: `<<<<<<< your version\n${ours}=======\n${theirs}>>>>>>> platform new\n`, conflicts: 1 };
};

type Spec = Record<string, { base?: string; ours?: string; theirs?: string; ownership?: Ownership }>;

function input(spec: Spec, extra: Partial<PlanInput> = {}): PlanInput {
  const pick = (side: 'base' | 'ours' | 'theirs') =>
    new Map(Object.entries(spec).flatMap(([path, f]) => (f[side] === undefined ? [] : [[path, f[side]!] as [string, string]])));
  const base = pick('base');
  return {
    base,
    ours: pick('ours'),
    theirs: pick('theirs'),
    theirsOwnership: Object.fromEntries(Object.entries(spec).filter(([, f]) => f.theirs !== undefined).map(([p, f]) => [p, f.ownership ?? 'shared'])),
    lock: Object.fromEntries(Object.entries(spec).filter(([, f]) => f.base !== undefined).map(([p, f]) => [p, { ownership: f.ownership ?? 'shared', sha256: sha256(f.base!) }])),
    merge: fakeMerge,
    ...extra,
  };
}

const statuses = (spec: Spec, extra?: Partial<PlanInput>) =>
  Object.fromEntries(planUpgrade(input(spec, extra)).outcomes.map((o) => [o.path, o.status])) as Record<string, FileStatus>;

const SQL = Array.from({ length: 12 }, (_, i) => `select ${i} as column_${i};`).join('\n') + '\n';

describe('planUpgrade with reapply (upgrade --reapply)', () => {
  const spec: Spec = {
    'compose.yaml': { base: 'a\n', ours: 'a mine\n', theirs: 'a\n', ownership: 'platform' },
    'config/x.conf': { base: 'x\n', theirs: 'x2\n', ownership: 'platform' },
    'config/y.conf': { base: 'y\n', ours: 'y\n', theirs: 'y2\n', ownership: 'platform' },
    'flink/sql/10.sql': { base: 's\n', ours: 's mine\n', theirs: 's\n' },
  };

  it('gives edited and deleted platform-owned files the render back; shared and unedited files as usual', () => {
    const plan = planUpgrade(input(spec, { reapply: true }));
    expect(Object.fromEntries(plan.outcomes.map((o) => [o.path, o.status]))).toEqual({
      'compose.yaml': 'restored',
      'config/x.conf': 'restored',
      'config/y.conf': 'updated',
      'flink/sql/10.sql': 'unchanged',
    });
    expect(plan.writes.map((w) => [w.path, w.content])).toEqual([
      ['compose.yaml', 'a\n'],
      ['config/x.conf', 'x2\n'],
      ['config/y.conf', 'y2\n'],
    ]);
  });

  it('without it, the edit is kept and the deleted file stays deleted', () => {
    expect(statuses(spec)).toEqual({ 'compose.yaml': 'unchanged', 'config/x.conf': 'kept-deleted', 'config/y.conf': 'updated', 'flink/sql/10.sql': 'unchanged' });
  });
});

describe('planUpgrade: one file per (user edit × template change)', () => {
  const cases: { name: string; file: Spec[string]; status: FileStatus | undefined; content?: string | null }[] = [
    { name: 'shared, template edit, no user edit', file: { base: 'a\n', ours: 'a\n', theirs: 'b\n' }, status: 'updated', content: 'b\n' },
    { name: 'shared, no template edit, user edit', file: { base: 'a\n', ours: 'mine\n', theirs: 'a\n' }, status: 'unchanged', content: null },
    { name: 'shared, both edit apart', file: { base: 'a\n', ours: 'a\nmine\n', theirs: 'a\nnew\n' }, status: 'merged', content: 'a\nnew\nmine\n' },
    { name: 'shared, both edit the same line', file: { base: 'a\n', ours: 'mine\n', theirs: 'new\n' }, status: 'conflict' },
    { name: 'shared, both made the same edit', file: { base: 'a\n', ours: 'b\n', theirs: 'b\n' }, status: 'unchanged', content: null },
    { name: 'shared, user deleted, template edit', file: { base: 'a\n', theirs: 'b\n' }, status: 'kept-deleted', content: null },
    { name: 'shared, template removed, no user edit', file: { base: 'a\n', ours: 'a\n' }, status: 'deleted' },
    { name: 'shared, template removed, user edit', file: { base: 'a\n', ours: 'mine\n' }, status: 'kept-removed', content: null },
    { name: 'shared, template removed, user deleted', file: { base: 'a\n' }, status: undefined },
    { name: 'shared, template added', file: { theirs: 'new\n' }, status: 'new', content: 'new\n' },
    { name: 'shared, template added, user has the same file', file: { ours: 'new\n', theirs: 'new\n' }, status: 'unchanged', content: null },
    { name: 'shared, template added, user has another file there', file: { ours: 'mine\n', theirs: 'new\n' }, status: 'conflict' },
    { name: 'platform, template edit, no user edit', file: { base: 'a\n', ours: 'a\n', theirs: 'b\n', ownership: 'platform' }, status: 'updated', content: 'b\n' },
    { name: 'platform, template edit, user edit apart', file: { base: 'a\n', ours: 'a\nmine\n', theirs: 'a\nnew\n', ownership: 'platform' }, status: 'merged' },
    { name: 'platform, template edit, user edit same line', file: { base: 'a\n', ours: 'mine\n', theirs: 'b\n', ownership: 'platform' }, status: 'conflict' },
    { name: 'platform, no template edit, user edit', file: { base: 'a\n', ours: 'mine\n', theirs: 'a\n', ownership: 'platform' }, status: 'unchanged', content: null },
    { name: 'platform, user deleted', file: { base: 'a\n', theirs: 'b\n', ownership: 'platform' }, status: 'kept-deleted', content: null },
    { name: 'user-owned, template edit, user edit', file: { base: 'a\n', ours: 'mine\n', theirs: 'b\n', ownership: 'user' }, status: 'kept-user', content: null },
    { name: 'user-owned, template edit, no user edit', file: { base: 'a\n', ours: 'a\n', theirs: 'b\n', ownership: 'user' }, status: 'kept-user', content: null },
    { name: 'user-owned, nothing changed', file: { base: 'a\n', ours: 'a\n', theirs: 'a\n', ownership: 'user' }, status: 'unchanged', content: null },
    { name: 'user-owned, user deleted', file: { base: 'a\n', theirs: 'b\n', ownership: 'user' }, status: 'kept-deleted', content: null },
    { name: 'user-owned, template added', file: { theirs: 'new\n', ownership: 'user' }, status: 'new', content: 'new\n' },
    { name: 'user-owned, template removed', file: { base: 'a\n', ours: 'a\n', ownership: 'user' }, status: 'kept-user', content: null },
  ];
  it.each(cases)('$name → $status', ({ file, status, content }) => {
    const plan = planUpgrade(input({ f: file }));
    expect(plan.outcomes.find((o) => o.path === 'f')?.status).toBe(status);
    const written = plan.writes.find((w) => w.path === 'f');
    if (content === null) expect(written).toBeUndefined();
    else if (content !== undefined) expect(written?.content).toBe(content);
    if (status === 'deleted') expect(plan.deletes).toEqual(['f']);
    else expect(plan.deletes).toEqual([]);
    if (status === 'conflict') expect(written?.content).toContain('<<<<<<< your version');
  });

  it('never loses a user edit: each edited file is kept, merged or marked', () => {
    for (const c of cases) {
      if (c.file.ours === undefined || c.file.ours === c.file.base || c.file.ours === c.file.theirs) continue;
      const plan = planUpgrade(input({ f: c.file }));
      const written = plan.writes.find((w) => w.path === 'f');
      expect(plan.deletes, c.name).not.toContain('f');
      if (written) expect(written.content, c.name).toContain(c.file.ours.trim().split('\n').pop());
    }
  });

  it('reports a platform-owned file the user edited instead of overwriting it', () => {
    const plan = planUpgrade(input({ f: { base: 'a\n', ours: 'a\nmine\n', theirs: 'a\nnew\n', ownership: 'platform' } }));
    expect(plan.outcomes[0]!.detail).toMatch(/platform-owned file you edited/);
    expect(plan.writes[0]!.content).toContain('mine');
  });

  it('treats a file whose hash matches the lock as unedited even when the old render differs', () => {
    const spec = input({ f: { base: 'a\n', ours: 'as generated\n', theirs: 'b\n', ownership: 'platform' } });
    const plan = planUpgrade({ ...spec, lock: { f: { ownership: 'platform', sha256: sha256('as generated\n') } } });
    expect(plan.outcomes[0]!.status).toBe('updated');
  });

  it('does not count CRLF line endings (git autocrlf) as an edit', () => {
    const plan = planUpgrade(input({ f: { base: 'a\nb\n', ours: 'a\r\nb\r\n', theirs: 'a\nc\n', ownership: 'platform' } }));
    expect(plan.outcomes[0]!.status).toBe('updated');
  });

  it('writes new files with the executable bit of the new render', () => {
    const plan = planUpgrade(input({ 'run.sh': { theirs: '#!/bin/sh\n' } }, { executable: new Set(['run.sh']) }));
    expect(plan.writes[0]).toMatchObject({ path: 'run.sh', executable: true });
  });
});

describe('planUpgrade: template renames', () => {
  it('detects a rename by content and carries the user edit to the new path', () => {
    const spec = input({ 'old.sql': { base: SQL, ours: `${SQL}-- mine\n` }, 'new.sql': { theirs: SQL.replace('select 0', 'select 100') } });
    const plan = planUpgrade({ ...spec, merge: gitMergeFile(mergeLabels('1', '2')) }); // git merge-file: text only, no repository
    expect(Object.fromEntries(plan.outcomes.map((o) => [o.path, o.status]))).toEqual({ 'old.sql': 'deleted', 'new.sql': 'merged' });
    expect(plan.deletes).toEqual(['old.sql']);
    expect(plan.writes[0]!.content).toContain('-- mine');
    expect(plan.writes[0]!.content).toContain('select 100');
    expect(plan.outcomes.find((o) => o.path === 'new.sql')!.detail).toMatch(/renamed from old\.sql; your edits carried over/);
  });

  it('moves an unedited renamed file', () => {
    expect(statuses({ 'old.sql': { base: SQL, ours: SQL }, 'new.sql': { theirs: SQL } })).toEqual({ 'old.sql': 'deleted', 'new.sql': 'new' });
  });

  it('keeps a renamed file deleted when the user had deleted it', () => {
    expect(statuses({ 'old.sql': { base: SQL }, 'new.sql': { theirs: SQL } })).toEqual({ 'new.sql': 'kept-deleted' });
  });

  it('follows an explicit rename map for dissimilar content', () => {
    const spec: Spec = { 'a.sql': { base: 'x\n', ours: 'x\nmine\n' }, 'b.sql': { theirs: 'totally different\n' } };
    expect(statuses(spec)).toEqual({ 'a.sql': 'kept-removed', 'b.sql': 'new' });
    expect(statuses(spec, { renames: { 'a.sql': 'b.sql' } })).toEqual({ 'a.sql': 'deleted', 'b.sql': 'conflict' });
  });

  it('pairs each removed path with its most similar added path, once', () => {
    const other = Array.from({ length: 12 }, (_, i) => `insert ${i};`).join('\n');
    const renames = detectRenames(input({ 'a.sql': { base: SQL }, 'b.sql': { base: other }, 'x.sql': { theirs: other }, 'y.sql': { theirs: SQL } }));
    expect(Object.fromEntries(renames)).toEqual({ 'a.sql': 'y.sql', 'b.sql': 'x.sql' });
    expect(similarity('a\nb\n', 'c\nd\n')).toBe(0);
    expect(similarity('a\nb\n', 'a\nb\n')).toBe(1);
  });
});

describe('planUpgrade: headers of earlier versions, which carried the platform version', () => {
  const OLD = '# Managed by create-iot-platform 0.0.9. Do not edit: upgrades regenerate this file and lint flags hand edits.\n';
  const NEW = `${headerLine('compose.yaml')}\n`;
  const BODY = 'services:\n  kafka:\n    image: kafka\n  flink:\n    image: flink\n  postgres:\n    image: postgres\n';
  const mine = BODY.replace('services:\n', 'services: # ours\n'); // the line next to the header
  const plan = (file: { base: string; ours: string; theirs: string }) =>
    planUpgrade({ ...input({ 'compose.yaml': { ...file, ownership: 'platform' } }), merge: gitMergeFile(mergeLabels('0.0.9', '0.1.0')) });

  it('rewrites an old header of any comment style, after a shebang too, and leaves other text alone', () => {
    expect(NEW).toBe('# Managed by create-iot-platform. Do not edit: upgrades regenerate this file and lint flags hand edits.\n');
    expect(withCurrentHeader(`${OLD}${BODY}`)).toBe(`${NEW}${BODY}`);
    expect(withCurrentHeader(`#!/usr/bin/env bash\n${OLD}echo hi\n`)).toBe(`#!/usr/bin/env bash\n${NEW}echo hi\n`);
    expect(withCurrentHeader(`${OLD.replace('# ', '// ')}x;\n`)).toBe(`${headerLine('a.ts')}\nx;\n`);
    expect(withCurrentHeader(`${OLD.replace('0.0.9', '1.0.0-rc.1')}${BODY}`)).toBe(`${NEW}${BODY}`);
    const later = `${BODY}${OLD}`; // not a header: not on the first line
    expect(withCurrentHeader(later)).toBe(later);
  });

  it('an unedited file with no template change gets the new header: updated, not an edit', () => {
    const result = plan({ base: `${OLD}${BODY}`, ours: `${OLD}${BODY}`, theirs: `${NEW}${BODY}` });
    expect(result.outcomes).toEqual([{ path: 'compose.yaml', status: 'updated', detail: 'header without the platform version' }]);
    expect(result.writes).toEqual([{ path: 'compose.yaml', content: `${NEW}${BODY}`, executable: false }]);
  });

  it('a user edit next to the old header is kept without a conflict (a plain 3-way merge would mark one)', () => {
    expect(gitMergeFile(mergeLabels('0.0.9', '0.1.0'))(`${OLD}${BODY}`, `${OLD}${mine}`, `${NEW}${BODY}`).conflicts).toBe(1);
    const result = plan({ base: `${OLD}${BODY}`, ours: `${OLD}${mine}`, theirs: `${NEW}${BODY}` });
    expect(result.outcomes).toEqual([
      { path: 'compose.yaml', status: 'updated', detail: 'platform-owned file you edited: your edit kept; header without the platform version' },
    ]);
    expect(result.writes).toEqual([{ path: 'compose.yaml', content: `${NEW}${mine}`, executable: false }]);
  });

  it('a user edit next to the old header and a template change merge cleanly under the new header', () => {
    const theirs = `${NEW}${BODY.replace('image: postgres', 'image: postgres:18')}`;
    const result = plan({ base: `${OLD}${BODY}`, ours: `${OLD}${mine}`, theirs });
    expect(result.outcomes).toEqual([{ path: 'compose.yaml', status: 'merged', detail: 'platform-owned file you edited: merged, not overwritten' }]);
    expect(result.writes[0]!.content).toBe(`${NEW}${mine.replace('image: postgres', 'image: postgres:18')}`);
  });

  it('an unedited file with a template change is updated (the lock hashed the old header)', () => {
    const spec = input({ 'compose.yaml': { base: `${OLD}${BODY}`, ours: `${OLD}${BODY}`, theirs: `${NEW}x: 1\n`, ownership: 'platform' } });
    expect(planUpgrade({ ...spec, base: new Map([['compose.yaml', `${OLD}other\n`]]) }).outcomes).toEqual([{ path: 'compose.yaml', status: 'updated' }]);
  });
});

describe('planUpgrade: the hand-made corpus of template changes, merged with git merge-file', () => {
  // These were rewound template lines of a fake older platform; the end-to-end tests now upgrade from a real earlier
  // commit (test/upgrade.test.ts), and the edit × change semantics stay proven here, on realistic texts.
  const merge = gitMergeFile(mergeLabels('0.0.9', '0.1.0'));
  const job = (checkpoint: string, ttl: string) =>
    [
      '-- Job 2 — enrichment: measurements joined with the latest location and state of their device.',
      "SET 'pipeline.name' = 'sensors-20-enrichment';",
      `SET 'execution.checkpointing.interval' = '${checkpoint}';`,
      `SET 'table.exec.state.ttl' = '${ttl}';`,
      "SET 'table.local-time-zone' = 'UTC';",
      '',
      'INSERT INTO enriched',
      'SELECT m.*, l.lat, l.lon',
      'FROM measurements AS m',
      'LEFT JOIN device_locations FOR SYSTEM_TIME AS OF m.event_ts AS l ON l.dim_key = m.dim_key;',
      '',
    ].join('\n');
  const conf = (queued: string) => `${headerLine('mosquitto.conf')}\nlistener 1883\nallow_anonymous false\nmax_inflight_messages 20\n${queued}\npersistence false\n`;
  const model = (extra = '') =>
    `select\n    device_id,\n    date_trunc('day', measured_at) as day,\n    count(*) as readings,${extra}\n    min(humidity) as min_humidity,\n    max(humidity) as max_humidity\nfrom {{ ref('stg_sensor_readings') }}\ngroup by 1, 2\n`;
  const plan = (spec: Spec) => planUpgrade({ ...input(spec), merge });
  const outcome = (p: ReturnType<typeof planUpgrade>, path: string) => p.outcomes.find((o) => o.path === path);
  const written = (p: ReturnType<typeof planUpgrade>, path: string) => p.writes.find((w) => w.path === path)?.content;

  it('a template line edit and a user comment at the end merge cleanly', () => {
    const result = plan({ 'flink/sql/20-enrichment.sql': { base: job('61s', '1 d'), ours: `${job('61s', '1 d')}-- our tuning notes\n`, theirs: job('10s', '1 d') } });
    expect(outcome(result, 'flink/sql/20-enrichment.sql')).toEqual({ path: 'flink/sql/20-enrichment.sql', status: 'merged' });
    expect(written(result, 'flink/sql/20-enrichment.sql')).toBe(`${job('10s', '1 d')}-- our tuning notes\n`);
  });

  it('both editing the same line of a shared file is one conflict, both sides and the base in it', () => {
    const result = plan({ 'flink/sql/20-enrichment.sql': { base: job('10s', '1 d'), ours: job('10s', '14 d'), theirs: job('10s', '7 d') } });
    expect(outcome(result, 'flink/sql/20-enrichment.sql')).toEqual({ path: 'flink/sql/20-enrichment.sql', status: 'conflict', detail: '1 conflict marked' });
    expect(written(result, 'flink/sql/20-enrichment.sql')).toBe(
      job('10s', '1 d').replace(
        "SET 'table.exec.state.ttl' = '1 d';\n",
        "<<<<<<< your version\nSET 'table.exec.state.ttl' = '14 d';\n||||||| platform 0.0.9\nSET 'table.exec.state.ttl' = '1 d';\n=======\nSET 'table.exec.state.ttl' = '7 d';\n>>>>>>> platform 0.1.0\n",
      ),
    );
  });

  it('both editing the same line of a platform-owned file is a conflict too, said to be a merge of a platform file', () => {
    const result = plan({ 'config/mosquitto/mosquitto.conf': { base: conf('max_queued_messages 1234'), ours: conf('max_queued_messages 5000'), theirs: conf('max_queued_messages 1000'), ownership: 'platform' } });
    expect(outcome(result, 'config/mosquitto/mosquitto.conf')).toEqual({
      path: 'config/mosquitto/mosquitto.conf',
      status: 'conflict',
      detail: 'platform-owned file you edited: merged, not overwritten; 1 conflict marked',
    });
    expect(written(result, 'config/mosquitto/mosquitto.conf')).toContain('<<<<<<< your version\nmax_queued_messages 5000\n||||||| platform 0.0.9\nmax_queued_messages 1234\n=======\nmax_queued_messages 1000\n>>>>>>> platform 0.1.0\n');
  });

  it('a renamed dbt model carries the user edit made at the old path; its unedited schema file just moves', () => {
    const yml = 'version: 2\nmodels:\n  - name: daily_device\n    columns:\n      - name: device_id\n      - name: day\n      - name: readings\n';
    const result = plan({
      'dbt/models/marts/daily_device.sql': { base: model(), ours: model('\n    count(distinct device_id) as my_devices,') },
      'dbt/models/marts/device_daily.sql': { theirs: model().replace("ref('stg_sensor_readings')", "ref('stg_readings')") },
      'dbt/models/marts/daily_device.yml': { base: yml, ours: yml },
      'dbt/models/marts/device_daily.yml': { theirs: yml.replace('daily_device', 'device_daily') },
    });
    expect(result.outcomes).toEqual([
      { path: 'dbt/models/marts/daily_device.sql', status: 'deleted', detail: 'renamed to dbt/models/marts/device_daily.sql by the platform; your edits moved there' },
      { path: 'dbt/models/marts/daily_device.yml', status: 'deleted', detail: 'renamed to dbt/models/marts/device_daily.yml by the platform' },
      { path: 'dbt/models/marts/device_daily.sql', status: 'merged', detail: 'renamed from dbt/models/marts/daily_device.sql; your edits carried over' },
      { path: 'dbt/models/marts/device_daily.yml', status: 'new', detail: 'renamed from dbt/models/marts/daily_device.yml' },
    ]);
    expect(written(result, 'dbt/models/marts/device_daily.sql')).toBe(model('\n    count(distinct device_id) as my_devices,').replace("ref('stg_sensor_readings')", "ref('stg_readings')"));
    expect(result.deletes.sort()).toEqual(['dbt/models/marts/daily_device.sql', 'dbt/models/marts/daily_device.yml']);
  });

  it('a file added where the user already has another is a conflict holding the whole of both', () => {
    const mine = '{% test accepted_range(model, column_name) %}\nselect 1 where false -- mine\n{% endtest %}\n';
    const theirs = '{% test accepted_range(model, column_name, min_value=none) %}\nselect {{ column_name }} from {{ model }}\n{% endtest %}\n';
    const result = plan({ 'dbt/tests/generic/accepted_range.sql': { ours: mine, theirs } });
    expect(outcome(result, 'dbt/tests/generic/accepted_range.sql')).toEqual({
      path: 'dbt/tests/generic/accepted_range.sql',
      status: 'conflict',
      detail: 'new in the platform; you already had a file here; 1 conflict marked',
    });
    const text = written(result, 'dbt/tests/generic/accepted_range.sql')!;
    expect(text.startsWith('<<<<<<< your version\n')).toBe(true);
    expect(text).toContain(mine);
    expect(text).toContain('select {{ column_name }} from {{ model }}');
  });
});

describe('planUpgrade: files the platform stopped generating', () => {
  const OLD = '// Managed by create-iot-platform 0.0.9. Do not edit: upgrades regenerate this file and lint flags hand edits.\n';
  const BODY = "import { log } from '../lib/log.ts';\n\nexport function parse(raw: string) {\n  return JSON.parse(raw);\n}\n";
  const run = (spec: Spec) => planUpgrade({ ...input(spec), merge: gitMergeFile(mergeLabels('0.0.9', '0.1.0')) });

  it('deletes an unedited one, whatever version its header names', () => {
    const result = run({ 'services/ingest-gateway/parse.ts': { base: `${OLD}${BODY}`, ours: `${OLD}${BODY}`, ownership: 'platform' } });
    expect(result.outcomes).toEqual([{ path: 'services/ingest-gateway/parse.ts', status: 'deleted', detail: 'removed from the platform' }]);
    expect(result.deletes).toEqual(['services/ingest-gateway/parse.ts']);
    expect(result.writes).toEqual([]);
  });

  it('keeps an edited one as the user left it, without the "Managed by … Do not edit" header that no longer holds', () => {
    const mine = BODY.replace('  return', '  // ours: legacy firmware\n  return');
    const result = run({ 'services/ingest-gateway/parse.ts': { base: `${OLD}${BODY}`, ours: `${OLD}${mine}`, ownership: 'platform' } });
    expect(result.outcomes).toEqual([
      {
        path: 'services/ingest-gateway/parse.ts',
        status: 'kept-removed',
        detail: 'removed from the platform; kept because you changed it, without the "Managed by create-iot-platform" header (nothing regenerates it now)',
      },
    ]);
    expect(result.writes).toEqual([{ path: 'services/ingest-gateway/parse.ts', content: mine, executable: false }]);
    expect(result.deletes).toEqual([]);
  });

  it("drops today's header too, after a shebang, and leaves a headerless file alone", () => {
    const script = `#!/usr/bin/env bash\n${headerLine('run.sh')}\necho hi\n`;
    const result = run({
      'scripts/run.sh': { base: script, ours: `${script}echo mine\n`, ownership: 'platform' },
      'notes.sql': { base: 'select 1;\n', ours: 'select 2;\n' },
    });
    expect(result.writes).toEqual([{ path: 'scripts/run.sh', content: '#!/usr/bin/env bash\necho hi\necho mine\n', executable: false }]);
    expect(result.outcomes.map((o) => [o.path, o.status, o.detail])).toEqual([
      ['notes.sql', 'kept-removed', 'removed from the platform; kept because you changed it'],
      ['scripts/run.sh', 'kept-removed', 'removed from the platform; kept because you changed it, without the "Managed by create-iot-platform" header (nothing regenerates it now)'],
    ]);
  });
});

describe('a release without template changes', () => {
  /** Renders one manifest of every blueprint as two platform versions (the default dependency spec, ~version). */
  const renders = (blueprint: string) => {
    const manifest = createManifest({ blueprint, name: 'my-project', components: [...blueprints().get(blueprint)!.components], deploy: ['compose', 'native', 'kubernetes'] });
    const at = (version: string) => new Map(renderProject({ ...manifest, platform: { version } }).map((f) => [f.path, f.content]));
    return [at('3.4.5'), at('3.4.6')] as const;
  };

  it.each([...blueprints().keys()])('%s: changes only the files that pin the platform version, and only there', (blueprint) => {
    const [before, after] = renders(blueprint);
    expect([...after.keys()]).toEqual([...before.keys()]);
    const changed = [...before.keys()].filter((path) => before.get(path) !== after.get(path));
    expect(changed).toEqual([
      '.github/workflows/ci.yml', // calls the platform's reusable workflows @v<version>
      '.iot-platform/lock.json', // records the version and the hashes
      'README.md', // names the platform version and its chart
      'catalog-info.yaml', // iot-platform.dev/platform-version
      'charts/app/Chart.yaml', // depends on the platform chart <version>
      'compose.yaml', // the Flink SQL runner image <version>
      'iot-platform.yaml', // platform.version
      'package.json', // create-iot-platform ~<version>
    ]);
    for (const path of changed) {
      if (path === '.iot-platform/lock.json') continue;
      expect(before.get(path)!.replaceAll('3.4.5', '3.4.6'), path).toBe(after.get(path));
    }
    const locks = [before, after].map((files) => JSON.parse(files.get('.iot-platform/lock.json')!) as { platformVersion: string; files: Record<string, { sha256: string }> });
    expect(locks.map((l) => l.platformVersion)).toEqual(['3.4.5', '3.4.6']);
    const rehashed = Object.keys(locks[0]!.files).sort().filter((path) => locks[0]!.files[path]!.sha256 !== locks[1]!.files[path]!.sha256);
    expect(rehashed).toEqual(changed.filter((path) => path !== '.iot-platform/lock.json'));
  });
});

describe('git merge-file as the text merge', () => {
  const merge = gitMergeFile(mergeLabels('0.0.9', '0.1.0'));
  it('merges edits apart cleanly', () => {
    const base = 'one\ntwo\nthree\nfour\nfive\nsix\n';
    const result = merge(base, base.replace('one', 'ONE'), base.replace('six', 'SIX'));
    expect(result).toEqual({ content: 'ONE\ntwo\nthree\nfour\nfive\nSIX\n', conflicts: 0 });
  });
  it('marks colliding edits with plainly labelled sides', () => {
    const result = merge('ttl 1 d\n', 'ttl 14 d\n', 'ttl 7 d\n');
    expect(result.conflicts).toBe(1);
    expect(result.content).toBe('<<<<<<< your version\nttl 14 d\n||||||| platform 0.0.9\nttl 1 d\n=======\nttl 7 d\n>>>>>>> platform 0.1.0\n');
  });
});

describe('helpers of the upgrade', () => {
  it('orders versions (pre-releases first) and refuses downgrades with the fix', () => {
    expect(compareVersions('0.0.9', '0.1.0')).toBe(-1);
    expect(compareVersions('0.10.0', '0.9.9')).toBe(1);
    expect(compareVersions('1.0.0-rc.2', '1.0.0-rc.10')).toBe(-1);
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(checkTarget('0.0.9', '0.1.0', '0.1.0', false)).toBe(true);
    expect(checkTarget('0.1.0', '0.1.0', '0.1.0', false)).toBe(false);
    expect(() => checkTarget('0.2.0', '0.1.0', '0.1.0', true)).toThrow(/downgrades are not supported; pass --to 0.2.0 or later/);
    expect(() => checkTarget('0.2.0', '0.1.0', '0.1.0', false)).toThrow(/run npx create-iot-platform@0.2.0 upgrade/);
    expect(() => checkTarget('0.0.9', 'latest', '0.1.0', true)).toThrow(/--to latest: not a version/);
  });

  it('moves a plain dependency range to the new version and keeps any other spec', () => {
    expect(bumpDependency('~0.0.9', '0.0.9', '0.1.0')).toBe('~0.1.0');
    expect(bumpDependency('0.0.9', '0.0.9', '0.1.0')).toBe('0.1.0');
    expect(bumpDependency('file:/opt/platform', '0.0.9', '0.1.0')).toBe('file:/opt/platform');
    expect(bumpDependency(undefined, '0.0.9', '0.1.0')).toBeUndefined();
  });

  it('updates platform.version in iot-platform.yaml and keeps the user comments', () => {
    const text = '# my comment\napiVersion: iot-platform/v1\nplatform:\n  version: 0.0.9 # pinned by upgrade\nblueprint: sensors\n';
    const result = upgradedManifest(text, 'apiVersion: iot-platform/v1\n', '0.1.0');
    expect(result.migrated).toBe(false);
    expect(result.text).toBe(text.replace('0.0.9', '0.1.0'));
    expect(upgradedManifest(text.replace('/v1', '/v1alpha1'), 'apiVersion: iot-platform/v1\nx: 1\n', '0.1.0')).toEqual({
      text: 'apiVersion: iot-platform/v1\nx: 1\n',
      migrated: true,
      apiVersion: 'iot-platform/v1',
    });
  });

  it('formats the classification table as markdown with counts', () => {
    const table = formatReport({
      from: '0.0.9',
      to: '0.1.0',
      changed: true,
      conflicts: ['b.sql'],
      files: [
        { path: 'a.sql', status: 'unchanged' },
        { path: 'b.sql', status: 'conflict', detail: '1 conflict marked' },
        { path: 'c|d', status: 'new' },
      ],
    });
    expect(table).toBe(
      [
        'Platform 0.0.9 → 0.1.0: 1 conflict, 1 new, 1 unchanged',
        '',
        '| status | file | detail |',
        '|---|---|---|',
        '| conflict | `b.sql` | 1 conflict marked |',
        '| new | `c|d` |  |',
        '',
        '1 unchanged file not listed.',
      ].join('\n'),
    );
  });
});
