// The generator end to end through yeoman-test: golden trees for every blueprint × component set,
// prompts, secrets, ownership headers and the lock file.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import AppGenerator, { NAMESPACE, type AppOptions } from '../generators/app/index.ts';
import { blueprints, componentCombinations } from '../renderer/catalog.ts';
import { HEADER_MARK } from '../renderer/ownership.ts';
import { sha256, type Lock } from '../renderer/lock.ts';
import { ENV_ENTRIES } from '../renderer/component-catalog.ts';
import { parseManifest } from '../manifest/load.ts';
import { helpers } from './helpers/yeoman-helpers.ts';

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

/** path, ownership and content hash per file; `.env` by its variable names only (its values are random). */
function golden(dir: string): string {
  const lock = JSON.parse(readFileSync(join(dir, '.iot-platform/lock.json'), 'utf8')) as Lock;
  return tree(dir)
    .map((path) => {
      const content = readFileSync(join(dir, path), 'utf8');
      if (path === '.env') return `user      .env  ${content.match(/^[A-Z0-9_]+(?==)/gm)!.join(',')}`;
      const ownership = lock.files[path]?.ownership ?? 'platform';
      return `${ownership.padEnd(9)} ${path}  ${sha256(content).slice(0, 16)}`;
    })
    .join('\n');
}

for (const blueprint of blueprints().values()) {
  describe(`blueprint ${blueprint.name}: golden trees`, () => {
    it.each(componentCombinations(blueprint).map((c) => [c.join(',') || 'none', c]))('components %s', async (label, components) => {
      const { dir } = await generate({ yes: true, answers: { name: 'golden', blueprint: blueprint.name, components } });
      await expect(golden(dir)).toMatchFileSnapshot(`__golden__/${blueprint.name}/${label}.txt`);

      for (const path of tree(dir)) {
        const content = readFileSync(join(dir, path), 'utf8');
        // Helm templates are Go templates, not YAML: test/helm.test.ts renders and validates them.
        if (/\.ya?ml$/.test(path) && !/^charts\/[^/]+\/templates\//.test(path)) expect(() => parseYaml(content), path).not.toThrow();
        if (/\.json$/.test(path)) expect(() => JSON.parse(content), path).not.toThrow();
      }
    });
  });
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
