// `create-iot-platform env`: a fresh clone (no .env, it is git-ignored) gets a .env with new random secrets; an
// existing .env keeps every line and gains only what .env.example lists and it lacks.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../env/ensure-env.ts';
import { runCli, tempDir } from './helpers/cli.ts';
import { renderToDir } from './helpers/render.ts';

const values = (dir: string, file = '.env') => new Map(parseEnvFile(readFileSync(join(dir, file), 'utf8')).map((e) => [e.name, e.value]));

function freshClone(): string {
  const dir = renderToDir({ components: ['redis', 'api', 'dbt', 'history'] });
  rmSync(join(dir, '.env'));
  return dir;
}

describe('create-iot-platform env', () => {
  it('creates the .env of a fresh clone: owner-only, the settings of .env.example, a new random value per secret', () => {
    const [a, b] = [freshClone(), freshClone()];
    for (const dir of [a, b]) {
      const result = runCli(['env'], dir);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    }
    const example = values(a, '.env.example');
    const secrets = [...example].filter(([, value]) => value === '').map(([name]) => name);
    expect(secrets).toContain('POSTGRES_FLINK_PASSWORD');
    expect(runCli(['env'], freshClone()).stdout.trim()).toBe(
      `Created .env: ${example.size} entries, ${secrets.length} new random secret(s), readable by you only.`,
    );
    const [envA, envB] = [values(a), values(b)];
    expect([...envA.keys()]).toEqual([...example.keys()]);
    for (const [name, value] of example) {
      if (value !== '') expect(envA.get(name), name).toBe(value);
      else {
        expect(envA.get(name)!.length, name).toBeGreaterThanOrEqual(20);
        expect(envA.get(name), `${name} differs per project`).not.toBe(envB.get(name));
      }
    }
  });

  it('adds only what an existing .env lacks and never changes a line that is there', () => {
    const dir = freshClone();
    runCli(['env'], dir);
    const lines = readFileSync(join(dir, '.env'), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('API_KEY='))
      .map((line) => (line.startsWith('POSTGRES_PASSWORD=') ? 'POSTGRES_PASSWORD=chosen-by-me' : line));
    const before = `${lines.join('\n').trimEnd()}\n# my note\nMY_OWN=1\n`;
    writeFileSync(join(dir, '.env'), before);

    const added = runCli(['env'], dir);
    expect(added.code).toBe(0);
    expect(added.stdout.trim()).toBe('Added to .env: API_KEY (new secret).');
    const after = readFileSync(join(dir, '.env'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(values(dir).get('POSTGRES_PASSWORD')).toBe('chosen-by-me');
    expect(values(dir).get('API_KEY')!.length).toBeGreaterThanOrEqual(20);

    const again = runCli(['env'], dir);
    expect(again.stdout.trim()).toBe('.env has every name of .env.example: nothing to do.');
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe(after);
  });

  it('rejects unknown flags and folders that are not a generated project, writing nothing', () => {
    const dir = freshClone();
    const flag = runCli(['env', '--force'], dir);
    expect(flag.code).toBe(1);
    expect(flag.stderr.trim()).toBe("error: env: Unknown option '--force'; usage: create-iot-platform env");
    const outside = tempDir();
    const notProject = runCli(['env'], outside);
    expect(notProject.code).toBe(1);
    expect(notProject.stderr).toContain(`${outside} is not inside a generated repository`);
    expect(() => statSync(join(dir, '.env'))).toThrow();
  });
});
