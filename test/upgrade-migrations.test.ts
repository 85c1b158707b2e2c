// Manifest migrations: an iot-platform/v1alpha1 manifest (components as a map of switches) loads as v1 and
// the loader says which migration ran.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseManifest, renderManifest, validateManifest } from '../manifest/load.ts';
import { API_VERSIONS, MIGRATIONS, migrateManifest } from '../manifest/migrations/index.ts';
import { API_VERSION } from '../manifest/schema.ts';
import { createManifest } from '../manifest/create.ts';

/** A v1alpha1 manifest: today's sensors manifest with `components` written the old way. */
function v1alpha1Text(components: Record<string, unknown>): string {
  const manifest = createManifest({ blueprint: 'sensors', name: 'old-sensors', components: ['redis', 'api', 'dbt'], deploy: ['compose'] });
  const text = renderManifest(manifest).replace('apiVersion: iot-platform/v1', 'apiVersion: iot-platform/v1alpha1');
  return text.replace(/^components:\n(  - .*\n)+/m, `components:\n${Object.entries(components).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}\n`).join('')}`);
}

describe('manifest migrations', () => {
  it('chains every historic apiVersion to the current one', () => {
    expect(API_VERSIONS).toEqual(['iot-platform/v1alpha1', API_VERSION]);
    MIGRATIONS.forEach((m, i) => expect(m.to).toBe(MIGRATIONS[i + 1]?.from ?? API_VERSION));
  });

  it('migrates v1alpha1 components (a map of switches) to the list, in canonical order, and says so', () => {
    const notices: string[] = [];
    const text = v1alpha1Text({ dbt: true, redis: true, history: false, api: true });
    expect(text).toContain('apiVersion: iot-platform/v1alpha1');
    const doc = parseManifest(text, 'iot-platform.yaml'); // default notice goes to stderr
    expect(doc.components).toEqual(['redis', 'api', 'dbt']);
    const manifest = validateManifest(parse(text), 'iot-platform.yaml', (line) => notices.push(line));
    expect(manifest.apiVersion).toBe(API_VERSION);
    expect(manifest.components).toEqual(['redis', 'api', 'dbt']);
    expect(notices).toEqual([
      'iot-platform.yaml: migrated apiVersion iot-platform/v1alpha1 → iot-platform/v1 (components: a map of switches became the list of enabled components); create-iot-platform upgrade saves it',
    ]);
  });

  it('reports an invalid v1alpha1 manifest with the field and the fix', () => {
    expect(() => parseManifest(v1alpha1Text({ redis: 'yes' }), 'iot-platform.yaml')).toThrow(/iot-platform\.yaml: components\.redis: expected boolean/);
    expect(() => parseManifest(v1alpha1Text({ kafka: true }), 'iot-platform.yaml')).toThrow(/iot-platform\.yaml: components/);
  });

  it('leaves the current and unknown apiVersions to the validator', () => {
    const invalid = () => new Error('unexpected');
    expect(migrateManifest({ apiVersion: API_VERSION }, invalid)).toEqual({ value: { apiVersion: API_VERSION }, applied: [] });
    expect(() => validateManifest({ apiVersion: 'v0' }, 'iot-platform.yaml')).toThrow(
      /apiVersion: expected "iot-platform\/v1", got "v0"; set apiVersion: iot-platform\/v1$/,
    );
  });
});
