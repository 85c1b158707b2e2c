// The manifest schema: its committed JSON Schema export is current, and its messages name path and fix.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestJsonSchema } from '../manifest/json-schema.ts';
import { parseManifest, renderManifest } from '../manifest/load.ts';
import { renderSensors } from './helpers/render.ts';

describe('manifest', () => {
  it('has an up-to-date committed JSON Schema (npm run schema:export)', () => {
    const committed = JSON.parse(readFileSync(new URL('../schemas/iot-platform.v1.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(manifestJsonSchema());
  });

  it('round-trips through YAML', () => {
    const { manifest } = renderSensors();
    expect(parseManifest(renderManifest(manifest), 'x.yaml')).toEqual(manifest);
  });

  it.each([
    ['events.humidity.key', (t: string) => t.replace('key:\n      - env\n      - tenant\n      - deviceId\n    topic: sensors.humidity.v1', 'key:\n      - env\n      - sensorId\n    topic: sensors.humidity.v1'),
      'x.yaml: events.humidity.key: key field "sensorId" is neither a field nor a {placeholder} of the source; add it to fields'],
    ['project.timeZone', (t: string) => t.replace('timeZone: UTC', 'timeZone: Mars/Olympus'),
      'x.yaml: project.timeZone: use an IANA time zone such as UTC or Europe/Stockholm'],
    ['components', (t: string) => t.replace('components:\n  - redis', 'components:\n  - kafka'),
      'x.yaml: components[0]: must be one of "redis", "api", "dbt", "history", "observability"; got "kafka"'],
    ['unknown key', (t: string) => t.replace('blueprint: sensors', 'blueprint: sensors\nflavour: spicy'),
      'x.yaml: (top level): unknown key "flavour"; remove or rename it'],
    ['missing field', (t: string) => t.replace(/deploy:\n  targets:\n(    - \w+\n)+/, ''),
      'x.yaml: deploy: is required; add it (object)'],
  ])('reports %s', (_label, edit, message) => {
    const text = edit(renderManifest(renderSensors().manifest));
    expect(() => parseManifest(text, 'x.yaml')).toThrow(message);
  });
});
