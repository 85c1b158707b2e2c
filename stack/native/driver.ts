// The native stack driver: runs the project's pipeline on local engines (DESIGN.md §4), with free
// loopback ports, health waits with deadlines, a log file per component and a clean stop.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../cli/errors.ts';
import type { NativeComponent } from './component.ts';
import { loadProject, type NativeContext } from './context.ts';
import { freePorts } from './ports.ts';
import { isRunning, stopProcess, which } from './processes.ts';
import { postgres } from './postgres.ts';
import { redis } from './redis.ts';
import { mosquitto } from './mosquitto.ts';
import { kafka } from './kafka.ts';
import { flink } from './flink.ts';
import { seaweedfs } from './seaweedfs.ts';
import { platformServices } from './services.ts';
import type { ComponentName, Manifest } from '../../manifest/schema.ts';

/** In start order; `down` stops them in reverse. */
export function nativeComponents(ctx: Pick<NativeContext, 'manifest'>): NativeComponent[] {
  return [postgres, redis, mosquitto, kafka, seaweedfs, flink, ...platformServices(ctx)];
}

/**
 * Components of the manifest the native stack does not run, and why: `up` says so and runs the rest. Elasticsearch,
 * Logstash and Kibana come from neither the distribution's packages nor Maven Central, which the native stack
 * draws its engines from.
 */
export const NOT_NATIVE: Partial<Record<ComponentName, string>> = {
  observability: 'Elasticsearch, Logstash and Kibana run on compose and Kubernetes only (docker compose up, or the chart)',
};

export function skippedComponents(manifest: Pick<Manifest, 'components'>): { component: ComponentName; reason: string }[] {
  return manifest.components.flatMap((component) => (NOT_NATIVE[component] ? [{ component, reason: NOT_NATIVE[component] }] : []));
}

interface State {
  ports: Record<string, number>;
  components: { name: string; pids: number[] }[];
}

/** What the native stack started (ports, process ids), written as soon as its first component starts. */
export const NATIVE_STATE_FILE = 'state.json';
const stateFile = (stateDir: string) => join(stateDir, NATIVE_STATE_FILE);
export const ADDRESSES_FILE = 'addresses.env';

function readState(stateDir: string): State | undefined {
  return existsSync(stateFile(stateDir)) ? (JSON.parse(readFileSync(stateFile(stateDir), 'utf8')) as State) : undefined;
}

export async function nativeUp(projectDir: string, log: (line: string) => void, only?: string[]): Promise<void> {
  const project = loadProject(projectDir);
  const previous = readState(project.stateDir);
  if (previous?.components.some((c) => c.pids.some(isRunning))) {
    throw new UserError(`the native stack is already running in ${projectDir}; stop it with: npm run stack -- down`);
  }
  const ctx: NativeContext = { ...project, ports: {} };
  for (const { component, reason } of skippedComponents(ctx.manifest)) log(`  – ${component.padEnd(16)} not run natively: ${reason}`);
  const components = nativeComponents(ctx).filter((c) => c.enabled(ctx) && (!only || only.includes(c.name)));
  checkPrerequisites(components);
  mkdirSync(join(ctx.stateDir, 'logs'), { recursive: true });
  // All ports at once, so that no two components share one.
  const names = components.flatMap((component) => component.ports(ctx));
  const ports = await freePorts(names.length);
  names.forEach((name, i) => (ctx.ports[name] = ports[i]!));

  const state: State = { ports: ctx.ports, components: [] };
  let current = '';
  try {
    for (const component of components) {
      current = component.name;
      const started = Date.now();
      await component.install?.(ctx);
      const pids = await component.start(ctx);
      state.components.push({ name: component.name, pids });
      writeFileSync(stateFile(ctx.stateDir), JSON.stringify(state, null, 2));
      await component.ready(ctx);
      await component.afterStart?.(ctx);
      exitedDuringStart(component.name, pids, ctx.stateDir);
      log(`  ✔ ${component.name.padEnd(16)} ${describeAddresses(component.addresses(ctx))} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  } catch (error) {
    const failed = current;
    log(`  ✖ ${failed}: ${(error as Error).message.split('\n')[0]} (log: ${join(ctx.stateDir, 'logs', `${failed}.log`)})`);
    await stopAll(state).catch((stopError: Error) => log(`  ✖ ${stopError.message}`));
    throw error instanceof UserError ? error : new UserError(`native stack failed to start ${failed}: ${(error as Error).message.split('\n')[0]}`);
  }
  const addresses = Object.assign({ STACK_DRIVER: 'native' }, ...components.map((c) => c.addresses(ctx)));
  writeFileSync(join(ctx.stateDir, ADDRESSES_FILE), Object.entries(addresses).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
}

export async function nativeDown(projectDir: string, log: (line: string) => void, { purge = false } = {}): Promise<void> {
  const stateDir = join(projectDir, '.stack');
  const state = readState(stateDir);
  if (state) {
    await stopAll(state, log);
    rmSync(stateFile(stateDir));
    rmSync(join(stateDir, ADDRESSES_FILE), { force: true });
  }
  if (purge) rmSync(stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

/**
 * A component is up only while the processes it started run: one that exited (a port taken meanwhile by another
 * program, a crash after its first answer) fails the start, even when something answered its health probe.
 */
function exitedDuringStart(name: string, pids: number[], stateDir: string): void {
  const exited = pids.filter((pid) => !isRunning(pid));
  if (exited.length > 0) throw new Error(`${name} exited during its start (process ${exited.join(', ')}); see ${join(stateDir, 'logs', `${name}.log`)}`);
}

/**
 * Stops every component, in reverse start order, each with its time; one that cannot be stopped is named and the
 * others are still stopped. Throws, naming them, if any is left.
 */
async function stopAll(state: State, log?: (line: string) => void): Promise<void> {
  const failed: string[] = [];
  for (const component of [...state.components].reverse()) {
    const started = Date.now();
    try {
      for (const pid of component.pids) await stopProcess(pid);
      log?.(`  ✔ stopped ${component.name.padEnd(16)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed.push(`${component.name} (${(error as Error).message})`);
      log?.(`  ✖ ${component.name}: ${(error as Error).message}`);
    }
  }
  if (failed.length > 0) throw new UserError(`could not stop ${failed.join(', ')}; run npm run stack -- down again`);
}

/** Stops (SIGKILL: a crash, not a clean shutdown) or restarts one component of the running stack on its ports. */
export async function nativeComponent(projectDir: string, name: string, action: 'kill' | 'start', log: (line: string) => void): Promise<void> {
  const project = loadProject(projectDir);
  const state = readState(project.stateDir);
  const entry = state?.components.find((c) => c.name === name);
  const component = nativeComponents(project).find((c) => c.name === name);
  if (!state || !entry || !component) {
    throw new UserError(`no component "${name}" in the running native stack; see: npm run stack -- status`);
  }
  const ctx: NativeContext = { ...project, ports: state.ports };
  if (action === 'kill') {
    for (const pid of entry.pids) await stopProcess(pid, 0);
    entry.pids = [];
    log(`  ✔ killed ${name}`);
  } else {
    if (entry.pids.some(isRunning)) throw new UserError(`${name} is already running`);
    entry.pids = await component.start(ctx);
    // Recorded before the wait: a start that does not get ready leaves processes that down must still stop.
    writeFileSync(stateFile(project.stateDir), JSON.stringify(state, null, 2));
    await component.ready(ctx);
    exitedDuringStart(name, entry.pids, project.stateDir);
    log(`  ✔ started ${name}`);
  }
  writeFileSync(stateFile(project.stateDir), JSON.stringify(state, null, 2));
}

export function nativeStatus(projectDir: string): { name: string; running: boolean; pids: number[] }[] {
  const state = readState(join(projectDir, '.stack'));
  return (state?.components ?? []).map((c) => ({ name: c.name, pids: c.pids, running: c.pids.every(isRunning) }));
}

function checkPrerequisites(components: NativeComponent[]) {
  for (const component of components) {
    for (const { command, install } of component.prerequisites) {
      if (!which(command)) throw new UserError(`native stack needs "${command}" for ${component.name}; install it (${install}) and retry`);
    }
  }
}

function describeAddresses(addresses: Record<string, string>): string {
  return Object.entries(addresses)
    .filter(([k]) => /(URL|BROKERS|PORT|ENDPOINT)$/.test(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
