// Manifest migrations: each historic `apiVersion` of iot-platform.yaml has a zod schema and an `up()` to the
// next one, so an old project's answers can be re-rendered by a newer platform. The chain ends at the current
// schema (manifest/schema.ts, API_VERSION), which validates the result. Add a step by writing
// `<from>.ts` (schema + up) and listing it in MIGRATIONS.
import type { z } from 'zod';
import { API_VERSION } from '../schema.ts';
import { v1alpha1ToV1 } from './v1alpha1.ts';

export interface Migration<From = unknown> {
  from: string;
  to: string;
  /** One line for the user: what changed in the manifest. */
  summary: string;
  /** The shape of a `from` manifest, checked before `up()` runs. */
  schema: z.ZodType<From, unknown>;
  up: (manifest: From) => Record<string, unknown>;
}

/** Oldest first; each step's `to` is the next step's `from`, the last one's `to` is API_VERSION. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each step has its own input type
export const MIGRATIONS: Migration<any>[] = [v1alpha1ToV1];

/** Every apiVersion this platform reads, oldest first. */
export const API_VERSIONS: string[] = [...MIGRATIONS.map((m) => m.from), API_VERSION];

export interface AppliedMigration {
  from: string;
  to: string;
  summary: string;
}

/**
 * Migrates a parsed manifest to API_VERSION. A manifest at an unknown apiVersion is returned as it is (the
 * validator reports it). `invalid` turns the issues of an old manifest into the error to throw.
 */
export function migrateManifest(
  value: Record<string, unknown>,
  invalid: (issues: readonly z.core.$ZodIssue[]) => Error,
): { value: Record<string, unknown>; applied: AppliedMigration[] } {
  const applied: AppliedMigration[] = [];
  let current = value;
  for (;;) {
    const step = MIGRATIONS.find((m) => m.from === current.apiVersion);
    if (!step) return { value: current, applied };
    const parsed = (step.schema as z.ZodType).safeParse(current, { reportInput: true });
    if (!parsed.success) throw invalid(parsed.error.issues);
    current = step.up(parsed.data);
    applied.push({ from: step.from, to: step.to, summary: step.summary });
  }
}
