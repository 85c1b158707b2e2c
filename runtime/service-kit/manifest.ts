// The services' view of iot-platform.yaml: the generator's own schema (manifest/schema.ts), so a manifest that
// `create-iot-platform lint` accepts is exactly one the services run with. The runtime is pinned to the same
// platform version as the project, so there is no looser copy to drift.
import { readFileSync } from 'node:fs';
import { parseManifest as parseProjectManifest } from '../../manifest/load.ts';
import type { EventSchema, Manifest } from '../../manifest/schema.ts';
import type { Logger } from './log.ts';

export type RuntimeManifest = Manifest;
export type EventDefinition = EventSchema;
export type EventField = EventSchema['fields'][number];
export type RedisSinkDefinition = Manifest['sinks']['redis'][number];

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

/** The manifest, or the process ends (exit 2) with the one-line reason: a service cannot run without it. */
export function loadManifestOrExit(log: Logger): RuntimeManifest {
  try {
    return loadManifest();
  } catch (error) {
    log.fatal((error as Error).message);
    process.exit(2);
  }
}

export function parseManifest(text: string, path = 'iot-platform.yaml'): RuntimeManifest {
  return parseProjectManifest(text, path);
}

/** The dead-letter topic: the declared topic whose name ends with ".dlq", else "<prefix of the first event topic>.dlq". */
export function deadLetterTopic(manifest: Pick<RuntimeManifest, 'topics' | 'events' | 'project'>): string {
  const declared = manifest.topics.find((t) => t.name.endsWith('.dlq'));
  if (declared) return declared.name;
  const first = Object.values(manifest.events)[0]?.topic ?? manifest.project.name;
  return `${first.split('.')[0]}.dlq`;
}
