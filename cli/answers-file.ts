// `--answers FILE`: the answers of a new project from YAML in the shape of iot-platform.yaml, either a whole
// manifest (replayed, events and all) or any part of it (`blueprint: sensors` and `components: [redis]` is
// enough); what the file leaves out takes its default. Every problem names the file and the field.
import { readFileSync } from 'node:fs';
import { findComponentProblem, getBlueprint, blueprints } from '../renderer/catalog.ts';
import { API_VERSION, DEPLOY_TARGETS, projectName, type Manifest } from '../manifest/schema.ts';
import { parseYaml, validateManifest } from '../manifest/load.ts';
import { QUESTIONS, SETTINGS, settingProblem, type CreateAnswers, type Setting } from '../generators/app/questions.ts';
import { UserError } from './errors.ts';

export interface AnswersFile {
  file: string;
  /** The questions the file answers. */
  answers: Partial<CreateAnswers>;
  /** Everything it sets (events, topics, sinks, deploy.kubernetes …), laid over the blueprint's defaults. */
  fields: Record<string, unknown>;
}

/** `blueprint`: the one a flag chose (the file's components are checked against it). */
export function readAnswersFile(file: string, blueprint?: string): AnswersFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file}: cannot read the answers file; check the path (--answers FILE)`);
  }
  let fields = parseYaml(text, file) ?? {};
  if (!isMapping(fields)) {
    throw new UserError(`${file}: expected a mapping of iot-platform.yaml fields (blueprint, project, components, deploy …); fix the file (--answers FILE)`);
  }
  // A manifest of an older apiVersion is migrated as a whole (a wrong apiVersion is reported with its fix).
  if (fields.apiVersion !== undefined && fields.apiVersion !== API_VERSION) fields = validateManifest(fields, file) as Record<string, unknown>;
  return { file, answers: answersIn(fields as Record<string, unknown>, file, blueprint), fields: fields as Record<string, unknown> };
}

/**
 * The manifest of the new project: the file's fields laid over `fresh` (the manifest the answers make with the
 * blueprint's defaults), with the answers (the file's, overridden by flags and prompts) taken from `fresh`.
 */
export function manifestWithAnswersFile(fresh: Manifest, { file, fields }: AnswersFile): Manifest {
  const project = isMapping(fields.project) ? fields.project : {};
  const deploy = isMapping(fields.deploy) ? fields.deploy : {};
  return validateManifest(
    {
      ...fresh,
      ...fields,
      apiVersion: fresh.apiVersion,
      platform: fresh.platform,
      blueprint: fresh.blueprint,
      project: { ...project, ...fresh.project },
      components: fresh.components,
      deploy: { ...deploy, targets: fresh.deploy.targets },
    },
    file,
  );
}

function answersIn(fields: Record<string, unknown>, file: string, flagBlueprint: string | undefined): Partial<CreateAnswers> {
  const bad = (field: string, problem: string) => new UserError(`${file}: ${field}: ${problem}`);
  const answers: Partial<CreateAnswers> = {};
  if (fields.blueprint !== undefined) {
    if (typeof fields.blueprint !== 'string' || !blueprints().has(fields.blueprint)) {
      throw bad('blueprint', `unknown blueprint ${JSON.stringify(fields.blueprint)}; choose one of: ${[...blueprints().keys()].join(', ')}`);
    }
    answers.blueprint = fields.blueprint;
  }
  const project = fields.project ?? {};
  if (!isMapping(project)) throw bad('project', 'expected a mapping (name, description, owner, timeZone)');
  if (project.name !== undefined) {
    const name = projectName.safeParse(project.name);
    if (!name.success) throw bad('project.name', `invalid project name ${JSON.stringify(project.name)}: ${name.error.issues[0]!.message}`);
    answers.name = name.data;
  }
  for (const setting of Object.keys(SETTINGS) as Setting[]) {
    const value = project[setting];
    if (value === undefined) continue;
    const problem = typeof value === 'string' ? settingProblem(setting, value) : `expected text, got ${JSON.stringify(value)}`;
    if (problem) throw bad(`project.${setting}`, problem);
    answers[setting] = value as string;
  }
  if (fields.components !== undefined) {
    const components = stringList(fields.components);
    if (!components) throw bad('components', 'expected a list of component names, e.g. [redis, api]');
    const blueprint = getBlueprint(flagBlueprint ?? answers.blueprint ?? (QUESTIONS.find((q) => q.name === 'blueprint')!.default({}) as string));
    const problem = findComponentProblem(blueprint, components);
    if (problem?.kind === 'needs') throw bad('components', `component "${problem.component}" needs "${problem.needs}"; add "${problem.needs}" or drop "${problem.component}"`);
    if (problem) throw bad('components', `unknown component "${problem.component}" for blueprint "${blueprint.name}"; choose from: ${problem.choices.join(', ')}`);
    answers.components = components;
  }
  const deploy = fields.deploy ?? {};
  if (!isMapping(deploy)) throw bad('deploy', 'expected a mapping with targets: [compose, native, kubernetes]');
  if (deploy.targets !== undefined) {
    const targets = stringList(deploy.targets);
    const unknown = targets?.find((t) => !(DEPLOY_TARGETS as readonly string[]).includes(t));
    if (!targets?.length || unknown !== undefined) {
      throw bad('deploy.targets', `${unknown === undefined ? 'expected a non-empty list' : `unknown deploy target "${unknown}"`}; choose from: ${DEPLOY_TARGETS.join(', ')}`);
    }
    answers.deploy = targets;
  }
  return answers;
}

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
