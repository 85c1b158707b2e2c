// Runtime view of iot-platform.yaml: the few parts the services read (events, topics, sinks, time zone).
// The full schema lives in create-iot-platform; this one is deliberately loose so that a newer manifest with
// extra keys still loads, but it checks everything the services rely on and names the field on error.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

export const FIELD_TYPES = ['string', 'int', 'long', 'double', 'boolean', 'timestamp'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

const field = z.looseObject({
  name: z.string().min(1),
  type: z.enum(FIELD_TYPES),
  min: z.number().optional(),
  max: z.number().optional(),
});

const event = z.looseObject({
  source: z
    .object({ mqtt: z.string().min(1).optional(), http: z.string().min(1).optional() })
    .refine((s) => Boolean(s.mqtt) !== Boolean(s.http), 'set exactly one of mqtt or http'),
  format: z.enum(['csv', 'json']),
  fields: z.array(field).min(1),
  key: z.array(z.string()).min(1),
  topic: z.string().min(1),
});

const redisSink = z.looseObject({
  topic: z.string().min(1),
  key: z.string().min(1),
  ttlSeconds: z.number().int().positive().optional(),
});

const runtimeManifest = z.looseObject({
  project: z.looseObject({ name: z.string(), timeZone: z.string().default('UTC') }),
  components: z.array(z.string()).default([]),
  events: z.record(z.string(), event),
  topics: z.array(z.looseObject({ name: z.string() })).default([]),
  sinks: z
    .looseObject({ redis: z.array(redisSink).default([]) })
    .default({ redis: [] }),
});

export type EventField = z.infer<typeof field>;
export type EventDefinition = z.infer<typeof event>;
export type RedisSinkDefinition = z.infer<typeof redisSink>;
export type RuntimeManifest = z.infer<typeof runtimeManifest>;

export const DEFAULT_MANIFEST_PATH = './iot-platform.yaml';

/** Reads IOT_PLATFORM_MANIFEST (default ./iot-platform.yaml); throws one line naming the file and field. */
export function loadManifest(path: string = process.env.IOT_PLATFORM_MANIFEST || DEFAULT_MANIFEST_PATH): RuntimeManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`${path}: cannot read the manifest; set IOT_PLATFORM_MANIFEST to the path of iot-platform.yaml`);
  }
  return parseManifest(text, path);
}

export function parseManifest(text: string, path = 'iot-platform.yaml'): RuntimeManifest {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const result = runtimeManifest.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return result.data;
}

/** The dead-letter topic: the declared topic whose name ends with ".dlq", else "<prefix of the first event topic>.dlq". */
export function deadLetterTopic(manifest: RuntimeManifest): string {
  const declared = manifest.topics.find((t) => t.name.endsWith('.dlq'));
  if (declared) return declared.name;
  const first = Object.values(manifest.events)[0]?.topic ?? manifest.project.name;
  return `${first.split('.')[0]}.dlq`;
}
