// Blueprint parameters (iot-platform.yaml `parameters:`): one value, one place. A changed threshold in a project's
// manifest reaches the Flink SQL runner and dbt on every stack — compose.yaml (rendered from the manifest), the
// chart's values (rendered from it; helm.test.ts renders the chart itself) and the native stack (read at `stack up`)
// — and mistakes in the section are one-line errors naming the file, the field and the fix.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifest, parseManifest, renderManifest } from '../manifest/load.ts';
import { envName, parameterEnv } from '../manifest/parameters.ts';
import { renderProject } from '../renderer/render.ts';
import { loadProject } from '../stack/native/context.ts';
import { flinkEnv } from '../stack/native/flink.ts';
import { renderSensors, renderToDir } from './helpers/render.ts';

const NAMES = ['DRY_THRESHOLD', 'SUMMARY_WINDOW_SECONDS', 'SUMMARY_SLIDE_SECONDS', 'WATERMARK_DELAY_SECONDS', 'ALLOWED_LATENESS_SECONDS', 'QUIET_CLOSE_SECONDS'];
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A rendered sensors project whose iot-platform.yaml sets dryThreshold to `threshold`. */
function projectWithThreshold(threshold: string): string {
  const dir = renderToDir({ components: ['redis', 'api', 'dbt'] });
  dirs.push(dir);
  const file = join(dir, 'iot-platform.yaml');
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('\n  dryThreshold: 50\n');
  writeFileSync(file, text.replace('\n  dryThreshold: 50\n', `\n  dryThreshold: ${threshold}\n`));
  return dir;
}

describe('parameters of the sensors blueprint', () => {
  it('are written by create with their defaults and descriptions, and named UPPER_SNAKE for Flink and dbt', () => {
    const { manifest } = renderSensors();
    expect(manifest.parameters).toEqual({
      dryThreshold: 50,
      summaryWindowSeconds: 600,
      summarySlideSeconds: 10,
      watermarkDelaySeconds: 5,
      allowedLatenessSeconds: 3600,
      quietCloseSeconds: 60,
    });
    expect(Object.keys(parameterEnv(manifest))).toEqual(NAMES);
    expect(envName('summaryWindowSeconds')).toBe('SUMMARY_WINDOW_SECONDS');
    expect(renderManifest(manifest)).toContain(
      "  # humidity (%) below which a reading is dry (the Flink drought streak and dbt's dry days)\n  dryThreshold: 50\n",
    );
  });

  it('a manifest without the section gets the blueprint defaults', () => {
    const text = renderManifest(renderSensors().manifest).replace(/\n# The blueprint's tunable values[^\n]*\nparameters:\n(  [^\n]*\n)+/, '\n');
    expect(text).not.toContain('dryThreshold');
    const manifest = parseManifest(text, 'iot-platform.yaml');
    expect(manifest.parameters).toEqual({});
    expect(parameterEnv(manifest).DRY_THRESHOLD).toBe('50');
  });

  it('a changed dryThreshold in iot-platform.yaml reaches compose (Flink and dbt), the chart values and the native Flink', () => {
    const dir = projectWithThreshold('42.5');
    const manifest = loadManifest(join(dir, 'iot-platform.yaml'));
    const files = renderProject(manifest);
    const content = (path: string) => files.find((f) => f.path === path)!.content;

    const compose = parse(content('compose.yaml'), { merge: true }) as { services: Record<string, { environment: Record<string, string> }> };
    for (const service of ['flink-jobmanager', 'dbt']) {
      const env = compose.services[service]!.environment;
      expect(env.DRY_THRESHOLD, service).toBe('42.5');
      for (const name of NAMES) expect(env[name], `${service} ${name}`).toBeDefined();
    }

    const values = parse(content('charts/app/values.yaml')) as { 'iot-platform': { project: { parameters: Record<string, string> } } };
    expect(values['iot-platform'].project.parameters).toEqual({
      DRY_THRESHOLD: '42.5',
      SUMMARY_WINDOW_SECONDS: '600',
      SUMMARY_SLIDE_SECONDS: '10',
      WATERMARK_DELAY_SECONDS: '5',
      ALLOWED_LATENESS_SECONDS: '3600',
      QUIET_CLOSE_SECONDS: '60',
    });

    // the native stack reads the manifest at `stack up`: no rendering in between
    const env = flinkEnv({ ...loadProject(dir), ports: { kafka: 19092, postgres: 15432, flink: 18081 } });
    expect(env.DRY_THRESHOLD).toBe('42.5');
    for (const name of NAMES) expect(env[name], name).toBeDefined();
  });

  it.each([
    ['a misspelt name', 'dryThreshold: 50', 'dryThreshhold: 50',
      'iot-platform.yaml: parameters.dryThreshhold: unknown parameter of blueprint sensors; use one of dryThreshold, summaryWindowSeconds, summarySlideSeconds, watermarkDelaySeconds, allowedLatenessSeconds, quietCloseSeconds'],
    ['a snake_case name', 'dryThreshold: 50', 'dry_threshold: 50',
      'iot-platform.yaml: parameters.dry_threshold: unknown parameter of blueprint sensors; did you mean dryThreshold?'],
    ['a quoted number', 'dryThreshold: 50', 'dryThreshold: "50"',
      'iot-platform.yaml: parameters.dryThreshold: expected a number, got string "50"; write a number without quotes'],
    ['a fraction of a second', 'summarySlideSeconds: 10', 'summarySlideSeconds: 2.5',
      'iot-platform.yaml: parameters.summarySlideSeconds: must be a whole number, got 2.5; change the value'],
    ['a threshold above 100 %', 'dryThreshold: 50', 'dryThreshold: 150',
      'iot-platform.yaml: parameters.dryThreshold: must be at most 100, got 150; change the value'],
    ['a window that is not a multiple of the slide', 'summaryWindowSeconds: 600', 'summaryWindowSeconds: 605',
      'iot-platform.yaml: parameters.summaryWindowSeconds: must be a positive multiple of summarySlideSeconds (10), got 605; use e.g. 610 or change summarySlideSeconds'],
    ['a slide the window is not a multiple of', 'summarySlideSeconds: 10', 'summarySlideSeconds: 7',
      'iot-platform.yaml: parameters.summaryWindowSeconds: must be a positive multiple of summarySlideSeconds (7), got 600; use e.g. 602 or change summarySlideSeconds'],
  ])('rejects %s with one line naming the file, the field and the fix', (_label, from, to, message) => {
    const text = renderManifest(renderSensors().manifest);
    expect(text).toContain(`  ${from}\n`);
    let error: Error | undefined;
    try {
      parseManifest(text.replace(`  ${from}\n`, `  ${to}\n`), 'iot-platform.yaml');
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe(message);
  });
});
