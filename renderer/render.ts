// Renders a project in memory: the base template plus one blueprint, for one manifest. Pure apart from
// reading the template folders, so `create`, `--dry-run` and upgrades (which re-render old and new
// versions) all use the same function.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ejs from 'ejs';
import type { ComponentName, Manifest } from '../manifest/schema.ts';
import { COMPONENTS, contextFields } from '../manifest/schema.ts';
import { renderManifest, MANIFEST_FILE } from '../manifest/load.ts';
import { manifestJsonSchema } from '../manifest/json-schema.ts';
import { parameterEnv, parameterTable } from '../manifest/parameters.ts';
import { baseBlueprint, getBlueprint, projectServices, SCENARIOS_DIR, type Blueprint } from './catalog.ts';
import { chartServiceEntry, containerCommand, SETTINGS } from './component-catalog.ts';
import { classify, withHeader, type Ownership } from './ownership.ts';
import { FLINK_VERSION, IMAGES, NPM, PYTHON } from './versions.ts';
import { packageJson, packageRoot } from './package-root.ts';
import { matchesGlob } from './glob.ts';
import { renderEnvExample } from './env.ts';
import { buildLock } from './lock.ts';

export interface PlannedFile {
  path: string;
  content: string;
  ownership: Ownership;
  executable: boolean;
}

export interface RenderOptions {
  /** npm spec of the platform package in the generated package.json (default: ~version). */
  platformDependency?: string;
}

export const LOCK_FILE = '.iot-platform/lock.json';
export const SCHEMA_FILE = '.iot-platform/iot-platform.schema.json';

export function renderProject(manifest: Manifest, options: RenderOptions = {}): PlannedFile[] {
  const base = baseBlueprint();
  const blueprint = getBlueprint(manifest.blueprint);
  const context = templateContext(manifest, blueprint, options);
  const sources = new Map<string, string>();
  for (const layer of [base, blueprint]) {
    for (const file of listFiles(layer.filesDir)) sources.set(outputPath(relative(layer.filesDir, file)), file);
  }
  // The blueprint's scenario (input dataset and expected outputs) travels with the project for its e2e tests.
  const scenarioDir = join(SCENARIOS_DIR, blueprint.name);
  // Text only, as every project file (templates, upgrades' 3-way merges): a scenario's binary files stay in the
  // platform, and the tests that need them rebuild them (the RICH run from its seed, fixtures/run-1/run.json).
  for (const file of existsSync(scenarioDir) ? listFiles(scenarioDir).filter(isText) : []) {
    sources.set(`scenarios/${blueprint.name}/${relative(scenarioDir, file).split(sep).join('/')}`, file);
  }
  const when = { ...base.when, ...blueprint.when };
  const files: PlannedFile[] = [];
  for (const [path, file] of sources) {
    if (!enabled(path, when, context.components)) continue;
    const raw = readFileSync(file, 'utf8');
    const content = file.endsWith('.ejs') ? renderTemplate(raw, context, file) : raw;
    if (file.endsWith('.ejs') && content.trim() === '') continue; // a template may opt out by rendering nothing
    const ownership = classify(path, [blueprint.ownership, base.ownership]);
    files.push({
      path,
      content: ownership === 'platform' ? withHeader(path, content) : content,
      ownership,
      executable: (statSync(file).mode & 0o111) !== 0,
    });
  }
  files.push(
    { path: MANIFEST_FILE, content: renderManifest(manifest), ownership: 'user', executable: false },
    {
      path: SCHEMA_FILE,
      content: `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`,
      ownership: 'platform',
      executable: false,
    },
    {
      path: '.env.example',
      content: withHeader('.env.example', renderEnvExample(manifest)),
      ownership: 'platform',
      executable: false,
    },
    {
      path: '.yo-rc.json',
      content: `${JSON.stringify({ 'create-iot-platform': { manifest: MANIFEST_FILE, lock: LOCK_FILE } }, null, 2)}\n`,
      ownership: 'platform',
      executable: false,
    },
  );
  files.push({
    path: LOCK_FILE,
    content: `${JSON.stringify(buildLock(manifest, files), null, 2)}\n`,
    ownership: 'platform',
    executable: false,
  });
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function isText(file: string): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
    return true;
  } catch {
    return false;
  }
}

function templateContext(manifest: Manifest, blueprint: Blueprint, options: RenderOptions) {
  const version = manifest.platform.version;
  const components = Object.fromEntries(COMPONENTS.map((c) => [c, manifest.components.includes(c)])) as Record<
    ComponentName,
    boolean
  >;
  return {
    manifest,
    project: manifest.project,
    blueprint: { name: blueprint.name, title: blueprint.title, description: blueprint.description, scripts: blueprint.scripts },
    components,
    has: (component: ComponentName) => components[component],
    events: Object.entries(manifest.events).map(([name, event]) => ({ name, ...event, context: contextFields(event) })),
    topics: manifest.topics,
    sinks: manifest.sinks,
    /** The blueprint parameters as Flink and dbt get them: { DRY_THRESHOLD: '50', … } (manifest/parameters.ts). */
    parameterEnv: parameterEnv(manifest),
    parameters: parameterTable(manifest),
    images: { ...IMAGES, flinkSqlRunner: `${runnerImageRepository()}:${version}` },
    npm: NPM,
    python: PYTHON,
    flinkVersion: FLINK_VERSION,
    platform: {
      version,
      repository: platformRepository(),
      dependency: options.platformDependency ?? `~${version}`,
    },
    json: (value: unknown) => JSON.stringify(value, null, 2),
    flow,
    services: projectServices(manifest),
    containerCommand,
    chartServiceEntry,
    settings: SETTINGS,
  };
}

/** A one-line YAML flow collection in the house style: `["a", "b"]`, `{ name: "X", secret: "Y" }`. */
function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${flow(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

function renderTemplate(template: string, context: object, file: string): string {
  try {
    return ejs.render(template, context, { filename: file, strict: false, rmWhitespace: false });
  } catch (error) {
    throw new Error(`template ${relative(packageRoot(), file)}: ${(error as Error).message}`);
  }
}

function enabled(path: string, when: Record<string, ComponentName>, components: Record<ComponentName, boolean>): boolean {
  for (const [pattern, component] of Object.entries(when)) {
    if (matchesGlob(path, pattern) && !components[component]) return false;
  }
  return true;
}

/** Template names to output names: `_x` segments become `.x` (npm drops dotfiles), `.ejs` is dropped. */
export function outputPath(templatePath: string): string {
  return templatePath
    .split(sep)
    .map((segment) => (segment.startsWith('_') ? `.${segment.slice(1)}` : segment))
    .join('/')
    .replace(/\.ejs$/, '');
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The platform's Flink SQL runner image (connectors baked in), released with each platform version. */
function runnerImageRepository(): string {
  return `ghcr.io/${platformRepository().split('/')[0]!.toLowerCase()}/iot-platform-flink-sql-runner`;
}

function platformRepository(): string {
  return String(packageJson().repository?.url ?? '').replace(/^.*github\.com[/:]|\.git$/g, '');
}
