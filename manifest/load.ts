// Reading and validating `iot-platform.yaml`, with errors that name the file, the field and the fix.
import { readFileSync } from 'node:fs';
import { Document, isMap, isScalar, parseDocument } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../cli/errors.ts';
import { manifestSchemaV1, API_VERSION, type Manifest } from './schema.ts';
import { migrateManifest } from './migrations/index.ts';
import { describeYamlError } from './yaml-errors.ts';
import { parameterDescription, parameterProblems } from './parameters.ts';

export const MANIFEST_FILE = 'iot-platform.yaml';
export const SCHEMA_COMMENT = '# yaml-language-server: $schema=./.iot-platform/iot-platform.schema.json';

export function loadManifest(file: string): Manifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file}: cannot read the manifest; check the path`);
  }
  return parseManifest(text, file);
}

export function parseManifest(text: string, file: string): Manifest {
  return validateManifest(parseYaml(text, file), file);
}

/** Parses YAML text; a syntax error names the file and the line where the problem starts. */
export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const { line, reason } = describeYamlError(doc, doc.errors[0]!, text);
    throw new UserError(`${file}:${line}: not valid YAML (${reason}); fix the syntax`);
  }
  return doc.toJS();
}

/** `notice` hears which migration of an older apiVersion ran (default: a note on stderr). */
export function validateManifest(value: unknown, file: string, notice: (line: string) => void = (line) => process.stderr.write(`note: ${line}\n`)): Manifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${file}: the manifest must be a YAML mapping with apiVersion: ${API_VERSION}`);
  }
  const migrated = migrateManifest(value as Record<string, unknown>, (issues) => new UserError(formatIssues(file, issues)));
  for (const m of migrated.applied) notice(`${file}: migrated apiVersion ${m.from} → ${m.to} (${m.summary}); create-iot-platform upgrade saves it`);
  value = migrated.value;
  const apiVersion = (value as Record<string, unknown>).apiVersion;
  if (apiVersion !== API_VERSION) {
    throw new UserError(
      `${file}: apiVersion: expected "${API_VERSION}", got ${JSON.stringify(apiVersion ?? null)}; set apiVersion: ${API_VERSION}`,
    );
  }
  const result = manifestSchemaV1.safeParse(value, { reportInput: true });
  if (!result.success) throw new UserError(formatIssues(file, result.error.issues));
  const problems = parameterProblems(result.data);
  if (problems.length) throw new UserError(problems.map(([name, message]) => `${file}: parameters.${name}: ${message}`).join('\n'));
  return result.data;
}

/** One line per problem: `file: path.to.field: what is wrong; how to fix it`. */
export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${file}: ${formatPath(issue.path)}: ${describeIssue(issue)}`).join('\n');
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `is required; add it (${issue.expected})`;
      return issue.expected === 'number'
        ? `expected a number, got ${typeof issue.input} ${JSON.stringify(issue.input)}; write a number without quotes`
        : `expected ${issue.expected}, got ${typeof issue.input}; change the value`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}; got ${JSON.stringify(issue.input)}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove or rename ${issue.keys.length > 1 ? 'them' : 'it'}`;
    case 'invalid_format':
      return `${issue.message}`;
    default:
      return issue.message;
  }
}

export function renderManifest(manifest: Manifest): string {
  const doc = new Document(manifest);
  const parameters = doc.get('parameters');
  // A project without parameters (or from before them) gets its blueprint's defaults: no empty section.
  if (isMap(parameters) && parameters.items.length === 0) doc.delete('parameters');
  else if (isMap(parameters)) {
    const section = isMap(doc.contents) ? doc.contents.items.find((pair) => isScalar(pair.key) && pair.key.value === 'parameters') : undefined;
    if (section && isScalar(section.key)) {
      section.key.commentBefore = " The blueprint's tunable values: Flink and dbt get each as an environment variable (dryThreshold → DRY_THRESHOLD)";
    }
    for (const pair of parameters.items) {
      const description = isScalar(pair.key) ? parameterDescription(manifest, String(pair.key.value)) : undefined;
      if (description && isScalar(pair.key)) pair.key.commentBefore = ` ${description}`;
    }
  }
  // The default MQTT credentials (one user per device) go without saying, as in projects from before the setting.
  if (manifest.mqtt.credentials === 'device') doc.delete('mqtt');
  return `${SCHEMA_COMMENT}\n${doc.toString({ lineWidth: 120 })}`;
}
