// Blueprint parameters (thresholds, window sizes): a blueprint declares them with a default and a description in
// blueprints/<name>/manifest.yaml, a project sets them under `parameters:` of iot-platform.yaml, and every place
// that runs the project's logic (the Flink SQL runner, dbt) gets them as environment variables named in
// UPPER_SNAKE case (dryThreshold → DRY_THRESHOLD). This module is the one place that turns a manifest into that
// name → value map; compose, the Helm values and the native stack all call it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { blueprints } from '../renderer/catalog.ts';
import type { Manifest } from './schema.ts';

const PARAMETER_NAME = /^[a-z][a-zA-Z0-9]*$/;

/** Environment names the platform itself sets for Flink or dbt: a parameter must not shadow them. */
const RESERVED_ENV = /^(KAFKA_|POSTGRES_|S3_|AWS_|FLINK_|DBT_|JAVA_)|^(TZ|HOME|PATH)$/;

const declaration = z.strictObject({
  default: z.number(),
  description: z.string().min(1),
  integer: z.boolean().default(false),
  min: z.number().optional(),
  max: z.number().optional(),
  /** The name of another parameter: this one must be a whole multiple of that one's value. */
  multipleOf: z.string().regex(PARAMETER_NAME).optional(),
});
export type ParameterDeclaration = z.infer<typeof declaration>;

const declarations = z
  .record(z.string().regex(PARAMETER_NAME, 'use a camelCase name such as dryThreshold'), declaration)
  .default({})
  .superRefine((declared, ctx) => {
    for (const [name, d] of Object.entries(declared)) {
      if (RESERVED_ENV.test(envName(name))) ctx.addIssue({ code: 'custom', path: [name], message: `its variable ${envName(name)} is one the platform sets; rename it` });
      if (d.multipleOf && !(d.multipleOf in declared)) ctx.addIssue({ code: 'custom', path: [name, 'multipleOf'], message: `"${d.multipleOf}" is not a parameter` });
      const problem = valueProblem(d.default, d, declared, defaultsOf(declared));
      if (problem) ctx.addIssue({ code: 'custom', path: [name, 'default'], message: problem });
    }
  });

/** dryThreshold → DRY_THRESHOLD: the environment variable a parameter reaches Flink and dbt as. */
export function envName(parameter: string): string {
  return parameter.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

const cache = new Map<string, Record<string, ParameterDeclaration>>();

/** The parameters a blueprint declares in its manifest.yaml (`parameters:`), in declaration order. */
export function declaredParameters(blueprintDir: string): Record<string, ParameterDeclaration> {
  let declared = cache.get(blueprintDir);
  if (!declared) {
    const file = join(blueprintDir, 'manifest.yaml');
    const raw = existsSync(file) ? (parse(readFileSync(file, 'utf8')) as { parameters?: unknown } | null) : null;
    const result = declarations.safeParse(raw?.parameters);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new Error(`${file}: parameters.${issue.path.join('.')}: ${issue.message}`);
    }
    declared = result.data;
    cache.set(blueprintDir, declared);
  }
  return declared;
}

/** What `create` writes under `parameters:` of a new project: every declared parameter at its default. */
export function defaultParameters(blueprintDir: string): Record<string, number> {
  return defaultsOf(declaredParameters(blueprintDir));
}

function defaultsOf(declared: Record<string, ParameterDeclaration>): Record<string, number> {
  return Object.fromEntries(Object.entries(declared).map(([name, d]) => [name, d.default]));
}

/** The declarations of a manifest's blueprint; none for a blueprint this platform does not know. */
function declarationsOf(manifest: Pick<Manifest, 'blueprint'>): Record<string, ParameterDeclaration> {
  const blueprint = blueprints().get(manifest.blueprint);
  return blueprint ? declaredParameters(blueprint.dir) : {};
}

/** Every parameter of a project: its blueprint's defaults, overridden by the manifest's `parameters:`. */
export function parameterValues(manifest: Pick<Manifest, 'blueprint' | 'parameters'>): Record<string, number> {
  return { ...defaultsOf(declarationsOf(manifest)), ...manifest.parameters };
}

/** The environment variables that carry a project's parameters to Flink and dbt (DRY_THRESHOLD: "50", …). */
export function parameterEnv(manifest: Pick<Manifest, 'blueprint' | 'parameters'>): Record<string, string> {
  return Object.fromEntries(Object.entries(parameterValues(manifest)).map(([name, value]) => [envName(name), String(value)]));
}

/** Every parameter of a project with its variable, value and description (for the generated README). */
export function parameterTable(manifest: Pick<Manifest, 'blueprint' | 'parameters'>): Array<{ name: string; env: string; value: number; description: string }> {
  const declared = declarationsOf(manifest);
  return Object.entries(parameterValues(manifest)).map(([name, value]) => ({ name, env: envName(name), value, description: declared[name]?.description ?? '' }));
}

/** A parameter's one-line description, for comments in iot-platform.yaml (undefined if not declared). */
export function parameterDescription(manifest: Pick<Manifest, 'blueprint'>, name: string): string | undefined {
  return declarationsOf(manifest)[name]?.description;
}

/** Problems of a manifest's `parameters:` against its blueprint's declarations: [path below parameters, message]. */
export function parameterProblems(manifest: Pick<Manifest, 'blueprint' | 'parameters'>): Array<[string, string]> {
  const blueprint = blueprints().get(manifest.blueprint);
  if (!blueprint) return [];
  const declared = declaredParameters(blueprint.dir);
  const values = parameterValues(manifest);
  const problems: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(manifest.parameters)) {
    const d = declared[name];
    if (!d) {
      const known = Object.keys(declared);
      const near = known.find((k) => k.toLowerCase() === name.replace(/[_-]/g, '').toLowerCase());
      problems.push([
        name,
        known.length === 0
          ? `blueprint ${blueprint.name} has no parameters; remove it`
          : `unknown parameter of blueprint ${blueprint.name}; ${near ? `did you mean ${near}?` : `use one of ${known.join(', ')}`}`,
      ]);
      continue;
    }
    const problem = valueProblem(value, d, declared, values);
    if (problem) problems.push([name, problem]);
  }
  return problems;
}

function valueProblem(
  value: number,
  d: ParameterDeclaration,
  declared: Record<string, ParameterDeclaration>,
  values: Record<string, number>,
): string | undefined {
  if (d.integer && !Number.isInteger(value)) return `must be a whole number, got ${value}; change the value`;
  if (d.min !== undefined && value < d.min) return `must be at least ${d.min}, got ${value}; change the value`;
  if (d.max !== undefined && value > d.max) return `must be at most ${d.max}, got ${value}; change the value`;
  const base = d.multipleOf;
  const step = base === undefined ? undefined : values[base];
  if (base !== undefined && step !== undefined && declared[base] && step > 0) {
    const ratio = value / step;
    if (!(value > 0) || Math.abs(ratio - Math.round(ratio)) > 1e-9) {
      const nearest = Math.max(1, Math.round(ratio)) * step;
      return `must be a positive multiple of ${base} (${step}), got ${value}; use e.g. ${nearest} or change ${base}`;
    }
  }
  return undefined;
}
