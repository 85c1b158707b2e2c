// The RICH parameters of docs/rich-data-contract.md (the manifest's `parameters`, names as there), their defaults,
// and reading them from a JSON or YAML file.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface RichParameters {
  pixelsPerSide: number;
  pixelPitchMm: number;
  distanceMm: number;
  refractiveIndex: number;
  photoElectrons: number;
  betaSpread: number;
  angularResolutionMrad: number;
  timeResolutionNs: number;
  trackRateHz: number;
  darkRatePerPixelHz: number;
  timeWindowSigmas: number;
  ringSigmas: number;
  minRingHits: number;
}

export const DEFAULT_PARAMETERS: Readonly<RichParameters> = Object.freeze({
  pixelsPerSide: 240,
  pixelPitchMm: 3,
  distanceMm: 200,
  refractiveIndex: 1.05,
  photoElectrons: 50,
  betaSpread: 0.02,
  angularResolutionMrad: 10,
  timeResolutionNs: 1000,
  trackRateHz: 10,
  darkRatePerPixelHz: 0.0347,
  timeWindowSigmas: 3,
  ringSigmas: 3,
  minRingHits: 5,
});

export const PARAMETER_NAMES = Object.keys(DEFAULT_PARAMETERS) as (keyof RichParameters)[];

/** What each parameter may be: whole numbers where the contract counts, else finite numbers in range. */
const CHECKS: Record<keyof RichParameters, [test: (v: number) => boolean, rule: string]> = {
  pixelsPerSide: [(v) => Number.isInteger(v) && v > 0 && v <= 65536, 'a whole number of pixels, 1 to 65536'],
  pixelPitchMm: [(v) => v > 0, 'greater than 0'],
  distanceMm: [(v) => v > 0, 'greater than 0'],
  refractiveIndex: [(v) => v > 1, 'greater than 1'],
  photoElectrons: [(v) => v >= 0 && v <= 300, '0 to 300'],
  betaSpread: [(v) => v >= 0 && v < 1, 'at least 0 and below 1'],
  angularResolutionMrad: [(v) => v >= 0, 'at least 0'],
  timeResolutionNs: [(v) => v >= 0, 'at least 0'],
  trackRateHz: [(v) => v >= 0, 'at least 0'],
  darkRatePerPixelHz: [(v) => v >= 0, 'at least 0'],
  timeWindowSigmas: [(v) => v > 0, 'greater than 0'],
  ringSigmas: [(v) => v > 0, 'greater than 0'],
  minRingHits: [(v) => Number.isInteger(v) && v >= 3, 'a whole number, at least 3 (a circle needs 3 points)'],
};

/** Defaults overridden by `overrides`; throws one line naming the first unknown or bad parameter. */
export function resolveParameters(overrides: Record<string, unknown> = {}, source = 'parameters'): RichParameters {
  const result: RichParameters = { ...DEFAULT_PARAMETERS };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in CHECKS)) throw new Error(`${source}: unknown parameter ${name}; the parameters are ${PARAMETER_NAMES.join(', ')}`);
    const [test, rule] = CHECKS[name as keyof RichParameters];
    if (typeof value !== 'number' || !Number.isFinite(value) || !test(value)) {
      throw new Error(`${source}: ${name} = ${JSON.stringify(value)}: must be ${rule}`);
    }
    result[name as keyof RichParameters] = value;
  }
  return result;
}

/** A JSON or YAML file whose top-level keys are parameter names (a `parameters:` mapping is also accepted). */
export function readParametersFile(path: string): Record<string, unknown> {
  const data: unknown = parse(readFileSync(path, 'utf8'));
  const mapping = data && typeof data === 'object' && 'parameters' in data ? (data as { parameters: unknown }).parameters : data;
  if (!mapping || typeof mapping !== 'object' || Array.isArray(mapping)) throw new Error(`${path}: expected a mapping of parameter names to numbers`);
  return mapping as Record<string, unknown>;
}
