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
});

