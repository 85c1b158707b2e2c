// Builds the manifest of a new project from the user's answers and the blueprint's defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { getBlueprint, checkComponents, variantOf } from '../renderer/catalog.ts';
import { platformVersion } from '../renderer/package-root.ts';
import { API_VERSION, DEPLOY_TARGETS, type Manifest } from './schema.ts';
import { validateManifest } from './load.ts';
import { defaultParameters } from './parameters.ts';

export interface Answers {
  blueprint: string;
  name: string;
  description?: string;
  owner?: string;
  components: string[];
  deploy: string[];
  timeZone?: string;
  github?: string;
  /** A variant of the blueprint (blueprint.yaml `variants`): the manifest without some of its events and topics. */
  variant?: string;
}

export function createManifest(answers: Answers): Manifest {
  const blueprint = getBlueprint(answers.blueprint);
  const components = checkComponents(blueprint, answers.components);
  const defaults = parse(readFileSync(join(blueprint.dir, 'manifest.yaml'), 'utf8')) as Pick<
    Manifest,
    'events' | 'topics' | 'sinks' | 'mqtt'
  >;
  if (answers.variant !== undefined) {
    const { without } = variantOf(blueprint, answers.variant);
    defaults.events = Object.fromEntries(Object.entries(defaults.events).filter(([name]) => !without.events.includes(name)));
    defaults.topics = (defaults.topics ?? []).filter((t) => !without.topics.includes(t.name));
  }
  const sinks = {
    redis: components.includes('redis') ? (defaults.sinks?.redis ?? []) : [],
    postgres: defaults.sinks?.postgres ?? [],
    history: components.includes('history') ? (defaults.sinks?.history ?? []) : [],
  };
  return validateManifest(
    {
      apiVersion: API_VERSION,
      platform: { version: platformVersion() },
      blueprint: blueprint.name,
      project: {
        name: answers.name,
        description: answers.description ?? blueprint.title,
        owner: answers.owner ?? 'platform-team',
        timeZone: answers.timeZone ?? 'UTC',
        ...(answers.github ? { github: answers.github } : {}),
      },
      components,
      ...(defaults.mqtt ? { mqtt: defaults.mqtt } : {}),
      parameters: defaultParameters(blueprint.dir),
      events: defaults.events,
      topics: defaults.topics ?? [],
      sinks,
      deploy: { targets: answers.deploy.length ? answers.deploy : [...DEPLOY_TARGETS] },
    },
    'the answers (flags, prompts and --answers)',
  );
}
