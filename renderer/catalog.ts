// The blueprint catalog: which blueprints exist, which components they offer, and how components depend
// on each other. Help text, prompts and validation all read from these tables.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { UserError } from '../cli/errors.ts';
import { COMPONENTS, componentName, type ComponentName, type Manifest } from '../manifest/schema.ts';
import { serviceSpec, servicesOf, type ServiceSpec } from './component-catalog.ts';
import { packageRoot } from './package-root.ts';

export const COMPONENT_INFO: Record<ComponentName, { title: string; requires: ComponentName[] }> = {
  redis: { title: 'Redis current state (platform Redis sink)', requires: [] },
  api: { title: 'HTTP API (Fastify, OpenAPI docs)', requires: ['redis'] },
  dbt: { title: 'dbt batch reports on PostgreSQL', requires: [] },
  history: { title: 'S3 history (SeaweedFS) written by Flink', requires: [] },
  observability: { title: 'Elasticsearch, Logstash and Kibana', requires: [] },
};

const ownershipRules = z.strictObject({
  platform: z.array(z.string()).default([]),
  user: z.array(z.string()).default([]),
});

/** A variant of a blueprint: its manifest without some of its events and topics (`create --variant NAME`). */
const blueprintVariant = z.strictObject({
  description: z.string(),
  without: z.strictObject({
    events: z.array(z.string()).default([]),
    topics: z.array(z.string()).default([]),
  }),
});

const blueprintMeta = z.strictObject({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  components: z.array(componentName).default([...COMPONENTS]),
  defaultComponents: z.array(componentName).default([]),
  ownership: ownershipRules.default({ platform: [], user: [] }),
  when: z.record(z.string(), componentName).default({}),
  /** Services of the blueprint's own, run from the services image beside the platform's (component catalog). */
  services: z.array(serviceSpec).default([]),
  /** npm scripts the blueprint adds to a project's package.json (e.g. a platform bin it needs). */
  scripts: z.record(z.string().regex(/^[a-z][a-z0-9:-]*$/), z.string()).default({}),
  variants: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), blueprintVariant).default({}),
});
export type BlueprintMeta = z.infer<typeof blueprintMeta>;

export interface Blueprint extends BlueprintMeta {
  dir: string;
  filesDir: string;
}

export const BLUEPRINTS_DIR = join(packageRoot(), 'blueprints');
export const SCENARIOS_DIR = join(packageRoot(), 'scenarios');
export const BASE = 'base';

let cache: Map<string, Blueprint> | undefined;

export function readBlueprint(dir: string): Blueprint {
  const metaFile = join(dir, 'blueprint.yaml');
  const result = blueprintMeta.safeParse(parse(readFileSync(metaFile, 'utf8')));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${metaFile}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return { ...result.data, dir, filesDir: join(dir, 'files') };
}

/** Every blueprint a user can choose (the base folder is shared by all of them and is not one). */
export function blueprints(): Map<string, Blueprint> {
  if (!cache) {
    cache = new Map();
    for (const entry of readdirSync(BLUEPRINTS_DIR, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === BASE) continue;
      if (!existsSync(join(BLUEPRINTS_DIR, entry.name, 'blueprint.yaml'))) continue;
      cache.set(entry.name, readBlueprint(join(BLUEPRINTS_DIR, entry.name)));
    }
  }
  return cache;
}

export function baseBlueprint(): Blueprint {
  return readBlueprint(join(BLUEPRINTS_DIR, BASE));
}

export function getBlueprint(name: string): Blueprint {
  const blueprint = blueprints().get(name);
  if (!blueprint) {
    throw new UserError(`unknown blueprint "${name}"; choose one of: ${[...blueprints().keys()].join(', ')} (--blueprint NAME)`);
  }
  return blueprint;
}

/** The blueprint's variant of that name, or a user error that lists its variants. */
export function variantOf(blueprint: Blueprint, name: string): z.infer<typeof blueprintVariant> {
  if (Object.hasOwn(blueprint.variants, name)) return blueprint.variants[name]!;
  const names = Object.keys(blueprint.variants);
  throw new UserError(`blueprint ${blueprint.name} has no variant "${name}"; ${names.length ? `its variants: ${names.join(', ')}` : 'it has none'} (--variant NAME)`);
}

/** Why a blueprint cannot run with a component set: each caller words the fix for its source (flag, prompt, file). */
export type ComponentProblem =
  | { kind: 'unknown' | 'not-in-blueprint'; component: string; choices: readonly ComponentName[] }
  | { kind: 'needs'; component: ComponentName; needs: ComponentName; chosen: ComponentName[] };

/** The first reason the blueprint cannot run with `requested`, or undefined when it can. */
export function findComponentProblem(blueprint: Blueprint, requested: readonly string[]): ComponentProblem | undefined {
  for (const name of requested) {
    if (!(COMPONENTS as readonly string[]).includes(name)) return { kind: 'unknown', component: name, choices: blueprint.components };
    if (!blueprint.components.includes(name as ComponentName)) return { kind: 'not-in-blueprint', component: name, choices: blueprint.components };
  }
  const chosen = [...new Set(requested as ComponentName[])];
  for (const name of chosen) {
    const needed = COMPONENT_INFO[name].requires.find((r) => !chosen.includes(r));
    if (needed) return { kind: 'needs', component: name, needs: needed, chosen };
  }
  return undefined;
}

/** Rejects component sets a blueprint cannot run with (as given by --components); returns them in canonical order. */
export function checkComponents(blueprint: Blueprint, requested: readonly string[]): ComponentName[] {
  const problem = findComponentProblem(blueprint, requested);
  if (problem?.kind === 'unknown') {
    throw new UserError(`unknown component "${problem.component}"; choose from: ${problem.choices.join(', ')} (--components a,b)`);
  }
  if (problem?.kind === 'not-in-blueprint') {
    throw new UserError(`blueprint "${blueprint.name}" has no component "${problem.component}"; choose from: ${problem.choices.join(', ')} (--components a,b)`);
  }
  if (problem?.kind === 'needs') {
    throw new UserError(
      `component "${problem.component}" needs "${problem.needs}"; add it (--components ${[...problem.chosen, problem.needs].join(',')}) or drop "${problem.component}"`,
    );
  }
  return COMPONENTS.filter((c) => requested.includes(c));
}

/** Every valid component set of a blueprint, in canonical order (used by tests and benchmarks). */
export function componentCombinations(blueprint: Blueprint): ComponentName[][] {
  const all = blueprint.components;
  const combos: ComponentName[][] = [];
  for (let mask = 0; mask < 1 << all.length; mask++) {
    const set = all.filter((_, i) => mask & (1 << i));
    if (set.every((c) => COMPONENT_INFO[c].requires.every((r) => set.includes(r)))) {
      combos.push(COMPONENTS.filter((c) => set.includes(c)));
    }
  }
  return combos;
}

/** Every service a project runs: the platform's and its blueprint's, for its components. */
export function projectServices(manifest: Manifest): ServiceSpec[] {
  return servicesOf(manifest, getBlueprint(manifest.blueprint).services);
}
