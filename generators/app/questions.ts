// The questions of `create`: one table that the flags, the --help text, the prompts and the
// "answers missing" error all read from.
import { basename } from 'node:path';
import { blueprints, COMPONENT_INFO, findComponentProblem, getBlueprint } from '../../renderer/catalog.ts';
import { COMPONENTS, DEPLOY_TARGETS, manifestSchemaV1, projectName } from '../../manifest/schema.ts';

export interface CreateAnswers {
  target: string;
  blueprint: string;
  name: string;
  components: string[];
  deploy: string[];
  /** Not prompted: flags only, with defaults in the manifest schema. */
  description?: string;
  owner?: string;
  timeZone?: string;
  variant?: string;
}

type Known = Partial<CreateAnswers>;

interface Choice {
  value: string;
  name: string;
}

export interface Question {
  name: keyof CreateAnswers;
  flag: string;
  /** How the flag's value is written in --help. */
  placeholder: string;
  message: string;
  kind: 'input' | 'select' | 'checkbox';
  choices?: (known: Known) => Choice[];
  default: (known: Known) => string | string[];
  /** Returns an error message for a bad value, or undefined; a prompt shows it and asks again. */
  validate?: (value: string | string[], known: Known) => string | undefined;
}

const list = (value: string | string[]) => (Array.isArray(value) ? value : value.split(',').map((v) => v.trim()).filter(Boolean));

export const QUESTIONS: Question[] = [
  {
    name: 'target',
    flag: '<folder>',
    placeholder: '',
    message: 'Project folder',
    kind: 'input',
    default: (known) => known.name ?? 'my-iot-platform',
  },
  {
    name: 'blueprint',
    flag: '--blueprint',
    placeholder: 'NAME',
    message: 'Blueprint',
    kind: 'select',
    choices: () => [...blueprints().values()].map((b) => ({ value: b.name, name: `${b.name} — ${b.title}` })),
    default: () => (blueprints().has('sensors') ? 'sensors' : [...blueprints().keys()][0]!),
  },
  {
    name: 'name',
    flag: '--name',
    placeholder: 'NAME',
    message: 'Project name',
    kind: 'input',
    default: (known) => basename(known.target ?? 'my-iot-platform').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, ''),
    validate: (value) => {
      const result = projectName.safeParse(String(value));
      return result.success ? undefined : `invalid project name "${value}": ${result.error.issues[0]!.message} (--name)`;
    },
  },
  {
    name: 'components',
    flag: '--components',
    placeholder: 'a,b',
    message: 'Optional components',
    kind: 'checkbox',
    choices: (known) =>
      (known.blueprint ? getBlueprint(known.blueprint).components : [...COMPONENTS]).map((c) => ({
        value: c,
        name: `${c} — ${COMPONENT_INFO[c].title}`,
      })),
    default: (known) => (known.blueprint ? getBlueprint(known.blueprint).defaultComponents : []),
    validate: (value, known) => {
      if (!known.blueprint) return undefined;
      const problem = findComponentProblem(getBlueprint(known.blueprint), list(value));
      if (problem?.kind === 'needs') return `"${problem.component}" needs "${problem.needs}": select ${problem.needs} too, or unselect ${problem.component}`;
      return problem ? `unknown component "${problem.component}"` : undefined;
    },
  },
  {
    name: 'deploy',
    flag: '--deploy',
    placeholder: 'a,b',
    message: 'Deploy targets',
    kind: 'checkbox',
    choices: () => DEPLOY_TARGETS.map((t) => ({ value: t, name: t })),
    default: () => [...DEPLOY_TARGETS],
    validate: (value) => (list(value).length ? undefined : 'select at least one deploy target'),
  },
];

/** The settings that are not prompted (flags and --answers only), checked by the manifest schema's rules. */
export const SETTINGS = {
  description: { flag: '--description', label: 'description' },
  owner: { flag: '--owner', label: 'owner' },
  timeZone: { flag: '--time-zone', label: 'time zone' },
} as const;

export type Setting = keyof typeof SETTINGS;

/** `invalid time zone "Mars/Base": use an IANA time zone …`, or undefined for a good value. */
export function settingProblem(setting: Setting, value: string): string | undefined {
  const result = manifestSchemaV1.shape.project.shape[setting].safeParse(value);
  return result.success ? undefined : `invalid ${SETTINGS[setting].label} ${JSON.stringify(value)}: ${result.error.issues[0]!.message}`;
}

/** Fills every unanswered question with its default (for --yes). */
export function withDefaults(known: Known): CreateAnswers {
  const answers: Known = { ...known };
  for (const q of QUESTIONS) {
    if (answers[q.name] === undefined) (answers as Record<string, unknown>)[q.name] = q.default(answers);
  }
  return answers as CreateAnswers;
}

export function unanswered(known: Known): Question[] {
  return QUESTIONS.filter((q) => known[q.name] === undefined);
}

export function normaliseAnswer(question: Question, value: string | string[]): string | string[] {
  return question.kind === 'checkbox' ? list(value) : String(value).trim();
}

/** Inquirer questions for what is still missing; each default sees the answers given before it. */
export function promptQuestions(known: Known) {
  return unanswered(known).map((q) => ({
    type: q.kind,
    name: q.name,
    message: q.message,
    choices: q.choices ? (answers: Known) => q.choices!({ ...known, ...answers }) : undefined,
    default: (answers: Known) => q.default({ ...known, ...answers }),
    validate: q.validate ? (value: PromptValue, answers: Known = {}) => q.validate!(promptValue(value), { ...known, ...answers }) ?? true : undefined,
  }));
}

/** What a prompt hands to validate: the text typed, or the checked items of a checkbox (or their values). */
type PromptValue = string | ReadonlyArray<string | { value: string }>;

const promptValue = (value: PromptValue): string | string[] =>
  typeof value === 'string' ? value : value.map((item) => (typeof item === 'string' ? item : item.value));
