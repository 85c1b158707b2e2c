// The service library's view of iot-platform.yaml: the generator's own schema, loaded from a generated project.
import { describe, expect, it } from 'vitest';
import { renderSensors } from '../../test/helpers/render.ts';
import { deadLetterTopic, parseManifest, type EventDefinition } from './manifest.ts';

const manifestText = renderSensors().files.find((f) => f.path === 'iot-platform.yaml')!.content;
const manifest = parseManifest(manifestText);
const events = manifest.events as Record<string, EventDefinition>;

describe('runtime manifest', () => {
  it('loads the generated iot-platform.yaml and finds the dead-letter topic', () => {
    expect(Object.keys(events)).toEqual(['humidity', 'temperature', 'location', 'state']);
    expect(deadLetterTopic(manifest)).toBe('sensors.dlq');
    expect(manifest.sinks.redis.map((s) => s.topic)).toContain('sensors.device-state');
  });

  it('derives <prefix>.dlq when no topic ends with .dlq, and names the field on errors', () => {
    expect(deadLetterTopic({ ...manifest, topics: [] })).toBe('sensors.dlq');
    expect(() => parseManifest(manifestText.replace('format: csv', 'format: xml'), 'm.yaml')).toThrow(/^m\.yaml: events\.humidity\.format: /);
    expect(() => parseManifest('project: [', 'm.yaml')).toThrow(/^m\.yaml:1: not valid YAML/);
  });

  it('checks a fixed-width layout when the manifest loads (the decoder trusts it)', () => {
    const hits = [
      '  hits:',
      '    source: { mqtt: "rich/{tenant}/{deviceId}/hits" }',
      '    format: fixed-width',
      '    layout:',
      '      recordBytes: 24',
      '      columns: [{ field: ix, offset: 0, type: int32 }, { field: iy, offset: 2, type: int32 }]',
      '    fields: [{ name: ix, type: int }, { name: iy, type: int }]',
      '    key: [deviceId]',
      '    topic: sensors.humidity.v1',
    ].join('\n');
    const text = manifestText.replace(/^events:\n/m, `events:\n${hits}\n`);
    expect(() => parseManifest(text, 'm.yaml')).toThrow(
      'm.yaml: events.hits.layout: columns ix (int32 at offset 0) and iy (int32 at offset 2) overlap; fix the layout',
    );
    expect(parseManifest(text.replace('offset: 2, type: int32', 'offset: 4, type: int32'), 'm.yaml').events.hits!.layout).toEqual({
      recordBytes: 24,
      byteOrder: 'big',
      columns: [
        { field: 'ix', offset: 0, type: 'int32' },
        { field: 'iy', offset: 4, type: 'int32' },
      ],
    });
    expect(() => parseManifest(text.replace('    layout:\n      recordBytes: 24\n      columns: [{ field: ix, offset: 0, type: int32 }, { field: iy, offset: 2, type: int32 }]\n', ''), 'm.yaml')).toThrow(
      'm.yaml: events.hits.layout: format fixed-width needs a layout (recordBytes, byteOrder, columns); add one',
    );
  });
});
