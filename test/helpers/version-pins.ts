// Reading versions back out of what pins them: image references, version banners of native binaries, the
// reusable workflows (action inputs), shell defaults (`${VAR:-value}`) and env files. test/versions.test.ts
// compares the results with renderer/versions.ts.
import { parse } from 'yaml';

/** The tag of an image reference (`repo/name:tag` or `name:tag@sha256:…`); '' when untagged. */
export function imageTag(image: string): string {
  const withoutDigest = image.split('@')[0]!;
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(colon + 1) : '';
}

/** The version a tag starts with: `15.19-alpine3.24` → `15.19`, `2.2.1-java17` → `2.2.1`, `v1.34.0` → `1.34.0`. */
export function tagVersion(tag: string): string {
  return tag.match(/^v?(\d+(?:\.\d+)*)/)?.[1] ?? '';
}

/** True when `version` lies in the release line `release` (a version prefix: `15`, `2.0`, `4.1.1`). */
export function inRelease(version: string, release: string): boolean {
  if (!/^\d+(\.\d+)*$/.test(version)) return false;
  const have = version.split('.');
  return release.split('.').every((part, i) => have[i] === part);
}

/** The first `x.y[.z]` version in a banner after `marker` (e.g. `v=` of `redis-server --version`). */
export function bannerVersion(output: string, marker: RegExp): string {
  const match = output.match(new RegExp(`${marker.source}\\s*v?(\\d+(?:\\.\\d+)+)`));
  return match?.[1] ?? '';
}

/** Every `image` (and CloudNativePG `imageName`) string in a parsed YAML tree, with its path. */
export function collectImages(node: unknown, path = ''): Array<{ path: string; image: string }> {
  if (Array.isArray(node)) return node.flatMap((item, i) => collectImages(item, `${path}[${i}]`));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([key, value]) =>
    (key === 'image' || key === 'imageName') && typeof value === 'string'
      ? [{ path: `${path}.${key}`, image: value }]
      : collectImages(value, `${path}.${key}`),
  );
}

/** `${VAR:-value}` defaults in shell text: VAR → values (a variable may be defaulted more than once). */
export function shellDefaults(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const m of text.matchAll(/\$\{([A-Z][A-Z0-9_]*):-([^}]*)\}/g)) {
    found.set(m[1]!, [...(found.get(m[1]!) ?? []), m[2]!]);
  }
  return found;
}

/** `NAME=value` lines of an env file (comments and blank lines skipped). */
export function envFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split('\n').filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

/** What a workflow step must pin: `uses` prefix → input → expected value. */
export type StepPins = Record<string, Record<string, string>>;
/** Inputs (of the workflow_call or the composite action) whose default must be a given value. */
export type InputPins = Record<string, string>;

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}

/**
 * Problems of one reusable workflow or composite action (YAML text) against the pins: a step input that is
 * missing or differs, or that is `${{ inputs.x }}` whose default differs; an input whose default differs.
 * One line each: `file: what`.
 */
export function workflowPinProblems(file: string, text: string, stepPins: StepPins, inputPins: InputPins): string[] {
  const doc = parse(text) as {
    on?: { workflow_call?: { inputs?: Record<string, { default?: unknown }> } };
    inputs?: Record<string, { default?: unknown }>;
    jobs?: Record<string, { steps?: Step[] }>;
    runs?: { steps?: Step[] };
  };
  const inputs = doc.on?.workflow_call?.inputs ?? doc.inputs ?? {};
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(inputPins)) {
    const input = inputs[name];
    if (input && String(input.default ?? '') !== expected) {
      problems.push(`${file}: input ${name} defaults to ${JSON.stringify(input.default ?? '')}, expected ${JSON.stringify(expected)}`);
    }
  }
  const steps = [...Object.values(doc.jobs ?? {}).flatMap((job) => job.steps ?? []), ...(doc.runs?.steps ?? [])];
  for (const step of steps) {
    const pins = Object.entries(stepPins).find(([prefix]) => step.uses?.startsWith(prefix))?.[1];
    if (!pins) continue;
    for (const [key, expected] of Object.entries(pins)) {
      const given = step.with?.[key];
      const ref = typeof given === 'string' ? given.match(/^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/)?.[1] : undefined;
      const value = ref ? inputs[ref]?.default : given;
      const what = ref ? `${key} (= input ${ref}, default ${JSON.stringify(value ?? '')})` : `${key} ${JSON.stringify(value ?? '')}`;
      if (value === undefined || String(value) !== expected) {
        problems.push(`${file}: ${step.uses!.split('@')[0]} ${value === undefined && !ref ? `${key} not set` : what}, expected ${JSON.stringify(expected)}`);
      }
    }
  }
  return problems;
}
