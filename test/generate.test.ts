// The generator end to end through yeoman-test: golden trees for every blueprint × component set (layout and
// format in test/helpers/golden.ts), prompts, secrets, ownership headers and the lock file.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import AppGenerator, { NAMESPACE, type AppOptions } from '../generators/app/index.ts';
import { blueprints, componentCombinations } from '../renderer/catalog.ts';
import { HEADER_MARK } from '../renderer/ownership.ts';
import { sha256, type Lock } from '../renderer/lock.ts';
import { ENV_ENTRIES } from '../renderer/component-catalog.ts';
import { parseManifest } from '../manifest/load.ts';
import { helpers } from './helpers/yeoman-helpers.ts';
import {
  applyUnifiedDiff,
  generateGolden,
  goldenPath,
  LOCK_PATH,
  normalisedTree,
  referenceListing,
  referenceSet,
  semanticView,
  semanticYaml,
  setLabel,
  setListing,
  unifiedDiff,
  type GeneratedFile,
} from './helpers/golden.ts';

async function generate(options: Partial<AppOptions>) {
  const result = await helpers
    .run<AppGenerator>(AppGenerator, { namespace: NAMESPACE })
    .withOptions({ skipGit: true, skipInstall: true, platformDependency: '~0.0.0-test', ...options } as AppOptions);
  return { dir: result.cwd, asked: result.askedQuestions.map((q) => q.name) };
}

function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const GOLDEN_DIR = fileURLToPath(new URL('__golden__/', import.meta.url));
/** Every file a run of the goldens is expected to leave under test/__golden__/, to find stale ones. */
const expectedGoldens = new Set<string>();
/** The component sets whose tests ran and the blueprints whose reference set generated (its files are known). */
const setsRun = new Set<string>();
const referencesReady = new Set<string>();

/** vitest -u: stale golden files are removed instead of reported. */
const updating = () => (expect.getState().snapshotState as { snapshotUpdateState?: string } | undefined)?.snapshotUpdateState === 'all';

for (const blueprint of blueprints().values()) {
  describe(`blueprint ${blueprint.name}: golden trees`, () => {
    const referenceLabel = setLabel(referenceSet(blueprint));
    let referenceRaw: GeneratedFile[] = [];
    let reference = new Map<string, GeneratedFile>();
    beforeAll(async () => {
      referenceRaw = await generateGolden(blueprint.name, referenceSet(blueprint));
      reference = normalisedTree(referenceRaw);
      for (const path of reference.keys()) expectedGoldens.add(goldenPath.file(blueprint.name, path));
      referencesReady.add(blueprint.name);
    });

    it.each(componentCombinations(blueprint).map((c) => [setLabel(c), c] as const))('components %s', async (label, components) => {
      const listingPath = goldenPath.listing(blueprint.name, label);
      const semanticPath = goldenPath.semantic(blueprint.name, label);
      expectedGoldens.add(listingPath).add(semanticPath);
      setsRun.add(`${blueprint.name}/${label}`);
      const raw = label === referenceLabel ? referenceRaw : await generateGolden(blueprint.name, components);
      const files = label === referenceLabel ? reference : normalisedTree(raw);

      if (label === referenceLabel) {
        await expect(referenceListing(blueprint.name, label, files)).toMatchFileSnapshot(`__golden__/${listingPath}`);
        for (const file of files.values()) {
          await expect.soft(file.content, file.path).toMatchFileSnapshot(`__golden__/${goldenPath.file(blueprint.name, file.path)}`);
        }
      } else {
        const listing = setListing(blueprint.name, label, referenceLabel, reference, files);
        await expect(listing).toMatchFileSnapshot(`__golden__/${listingPath}`);
        // The stored diffs are faithful: each one applied to the reference content gives this set's content.
        for (const file of files.values()) {
          const theirs = reference.get(file.path);
          if (theirs?.content === file.content) continue;
          const diff = unifiedDiff(theirs?.content ?? '', file.content, referenceLabel, label);
          expect(applyUnifiedDiff(theirs?.content ?? '', diff), file.path).toBe(file.content);
          expect(listing, file.path).toContain(diff.split('\n').slice(2).join('\n'));
        }
      }
      await expect(semanticYaml(blueprint.name, label, files)).toMatchFileSnapshot(`__golden__/${semanticPath}`);

      // Normalised are only .env's secrets (each to a placeholder: nothing random is left) and the lock's hashes.
      expect([...files.keys()]).toEqual(raw.map((f) => f.path));
      for (const file of raw) {
        if (file.path !== '.env' && file.path !== LOCK_PATH) expect(files.get(file.path)!.content, file.path).toBe(file.content);
      }
      const secrets = [...files.get('.env')!.content.matchAll(/\(secret\)\n([A-Z0-9_]+)=(.*)/g)];
      expect(secrets.length).toBeGreaterThan(0);
      for (const [, name, value] of secrets) expect(value, name).toMatch(/^<random: ([2-9]\d|\d{3,}) characters>$/);
      expect(files.get(LOCK_PATH)!.content).not.toMatch(/[0-9a-f]{64}/);

      for (const file of files.values()) {
        // Helm templates are Go templates, not YAML: test/helm.test.ts renders and validates them.
        if (/\.ya?ml$/.test(file.path) && !/^charts\/[^/]+\/templates\//.test(file.path)) expect(() => parseYaml(file.content), file.path).not.toThrow();
        if (/\.json$/.test(file.path)) expect(() => JSON.parse(file.content), file.path).not.toThrow();
      }
      checkSemantics(blueprint.name, label, components, files);
    });
  });
}

describe('golden folder', () => {
  it('holds only what the golden trees above wrote (stale files are reported, or removed under vitest -u)', () => {
    // Meaningful only after every golden test ran: a filtered run (-t) has not registered every golden, and a
    // reference set that failed to generate leaves its files unknown (nothing is pruned then).
    const sets = [...blueprints().values()].flatMap((b) => componentCombinations(b).map((c) => `${b.name}/${setLabel(c)}`));
    const notRun = sets.filter((set) => !setsRun.has(set));
    if (notRun.length) expect.fail(`run the whole file: the golden sets ${notRun.join(' ')} did not run`);
    const notReady = [...blueprints().keys()].filter((b) => !referencesReady.has(b));
    if (notReady.length) expect.fail(`the reference set of ${notReady.join(', ')} did not generate: golden files not checked for staleness`);
    // A missing golden fails its toMatchFileSnapshot (vitest writes new ones when the file ends); a stale one,
    // left by a file or component set that no longer exists, only this test finds.
    const stale = (existsSync(GOLDEN_DIR) ? tree(GOLDEN_DIR) : []).filter((p) => !expectedGoldens.has(p));
    if (updating()) {
      for (const path of stale) rmSync(join(GOLDEN_DIR, path));
      for (const dir of stale.map((p) => dirname(join(GOLDEN_DIR, p))).sort().reverse()) {
        if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
      }
    } else expect(stale, 'stale golden files: delete them (git rm) or run vitest -u').toEqual([]);
  });
});

/** Cross-file facts every component set must hold; the semantic snapshot shows them, these fail when they break. */
function checkSemantics(blueprint: string, label: string, components: readonly string[], files: Map<string, GeneratedFile>) {
  const view = semanticView(blueprint, label, files) as {
    env: string[];
    chart: { components: Record<string, boolean> };
    package: { scripts: Record<string, string> };
  };
  // Every variable compose interpolates (`${NAME…}` or `$NAME` in any value; `$$` escapes) is one of .env's.
  const strings: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(k), walk(v);
  };
  walk(parseYaml(files.get('compose.yaml')!.content, { merge: true }));
  const interpolated = [...new Set(strings.flatMap((s) => [...s.matchAll(/(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!)))];
  expect(interpolated.length, 'compose interpolates .env variables').toBeGreaterThan(0);
  expect(interpolated.filter((name) => !view.env.includes(name)), 'compose variables missing from .env').toEqual([]);
  // The chart runs the components the manifest has (simulator is the chart's own switch).
  const { simulator: _, ...chartComponents } = view.chart.components;
  expect(Object.entries(chartComponents).filter(([, on]) => on).map(([c]) => c).sort()).toEqual([...components].sort());
  // Scripts that run a project file name one that exists.
  for (const [name, script] of Object.entries(view.package.scripts)) {
    for (const file of script.match(/[\w./-]+\.ts\b/g) ?? []) expect(files.has(file), `script ${name} runs ${file}`).toBe(true);
  }
}

describe('generator', () => {
  it('asks no question under --yes and writes the defaults', async () => {
    const { dir, asked } = await generate({ yes: true, answers: { target: 'x' } });
    expect(asked).toEqual([]);
    const manifest = parseManifest(readFileSync(join(dir, 'iot-platform.yaml'), 'utf8'), 'iot-platform.yaml');
    expect(manifest.blueprint).toBe('sensors');
    expect(manifest.components).toEqual(blueprints().get('sensors')!.defaultComponents);
    expect(manifest.deploy.targets).toEqual(['compose', 'native', 'kubernetes']);
  });

  it('prompts only for what flags did not answer', async () => {
    const result = await helpers
      .run<AppGenerator>(AppGenerator, { namespace: NAMESPACE })
      .withOptions({ skipGit: true, skipInstall: true, answers: { target: 'x', blueprint: 'sensors' } } as AppOptions)
      .withAnswers({ name: 'field-sensors', components: ['redis', 'api'], deploy: ['native'] });
    expect(result.askedQuestions.map((q) => q.name)).toEqual(['name', 'components', 'deploy']);
    const manifest = parseManifest(readFileSync(join(result.cwd, 'iot-platform.yaml'), 'utf8'), 'm');
    expect(manifest.project.name).toBe('field-sensors');
    expect(manifest.components).toEqual(['redis', 'api']);
    expect(manifest.deploy.targets).toEqual(['native']);
  });

  it('generates fresh random secrets per project; .env.example has none', async () => {
    const env = (dir: string, file: string) =>
      Object.fromEntries(readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => /^[A-Z]/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2)));
    const a = await generate({ yes: true, answers: { name: 'a' } }); // yeoman-test removes it on the next run
    const envA = env(a.dir, '.env');
    expect((statSync(join(a.dir, '.env')).mode & 0o777).toString(8)).toBe('600');
    const example = env(a.dir, '.env.example');
    const envB = env((await generate({ yes: true, answers: { name: 'b' } })).dir, '.env');
    for (const entry of ENV_ENTRIES.filter((e) => e.secret && e.name in envA)) {
      expect(envA[entry.name]!.length, entry.name).toBeGreaterThanOrEqual(20);
      expect(envA[entry.name], entry.name).not.toBe(envB[entry.name]);
      expect(example[entry.name], entry.name).toBe('');
    }
    expect(Object.keys(example)).toEqual(Object.keys(envA));
  });

  it('marks platform-owned files with a header and records every file in the lock', async () => {
    const { dir } = await generate({ yes: true, answers: { name: 'owned' } });
    const lock = JSON.parse(readFileSync(join(dir, '.iot-platform/lock.json'), 'utf8')) as Lock;
    expect(Object.keys(lock.files).sort()).toEqual(tree(dir).filter((p) => p !== '.env' && p !== '.iot-platform/lock.json'));
    for (const [path, entry] of Object.entries(lock.files)) {
      const content = readFileSync(join(dir, path), 'utf8');
      expect(entry.sha256, path).toBe(sha256(content));
      const hasHeader = content.split('\n').slice(0, 2).some((line) => line.includes(HEADER_MARK));
      expect(hasHeader, path).toBe(entry.ownership === 'platform' && !path.endsWith('.json'));
    }
    expect(JSON.parse(readFileSync(join(dir, '.yo-rc.json'), 'utf8'))['create-iot-platform'].manifest).toBe('iot-platform.yaml');
    expect(readFileSync(join(dir, 'iot-platform.yaml'), 'utf8').split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./.iot-platform/iot-platform.schema.json',
    );
  });
});
