// Security checks on a Compose model. `model` is what the real Compose CLI prints with
// `docker compose --profile '*' config --format json` (interpolated, normalised); `raw` is the compose.yaml
// as written (parsed, not interpolated), used where interpolation would hide what the file says.
// Every check returns a list of problems, one line each, naming the service and what to do; [] means ok.
import { execFileSync } from 'node:child_process';

export interface ComposePort {
  host_ip?: string;
  published?: string | number;
  target: number;
  protocol?: string;
}

export interface ComposeService {
  image?: string;
  build?: unknown;
  user?: string;
  ports?: ComposePort[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition?: string }>;
  profiles?: string[];
  network_mode?: string;
  cap_add?: string[];
  cap_drop?: string[];
  environment?: Record<string, string | null>;
}

export interface ComposeModel {
  services: Record<string, ComposeService>;
}

/**
 * Services allowed to run as root, with the reason. Only one-shot helpers that cannot reach the network and
 * hold nothing but the CHOWN capability qualify (checked too).
 */
export const ROOT_ALLOWED: Record<string, string> = {
  'volume-init': 'one-shot chown of fresh named volumes (Docker creates them root-owned); CHOWN is its only capability, no network',
};

/**
 * Images that run as a non-root user by default, for services without `user:`. Empty on purpose: our compose
 * file sets `user:` everywhere; an entry needs the uid and a source.
 */
export const NON_ROOT_IMAGES: Record<string, string> = {};

/** Every published port is bound to 127.0.0.1. */
export function checkPortsLocalhost(model: ComposeModel): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(model.services)) {
    for (const port of service.ports ?? []) {
      if (port.host_ip !== '127.0.0.1') {
        problems.push(
          `service ${name}: port ${port.published ?? ''}:${port.target} is published on ${port.host_ip || 'all interfaces (0.0.0.0)'}; write "127.0.0.1:${port.published ?? port.target}:${port.target}"`,
        );
      }
    }
  }
  return problems;
}

/** Every image carries an explicit version tag (or digest) and none is `latest`; only built images may be `:local`. */
export function checkImagesPinned(model: ComposeModel): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(model.services)) {
    const image = service.image;
    if (!image) {
      problems.push(`service ${name}: no image; name a pinned image such as postgres:17.6-alpine3.22`);
      continue;
    }
    if (image.includes('@sha256:')) continue;
    const lastSegment = image.slice(image.lastIndexOf('/') + 1);
    const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
    if (!tag) {
      problems.push(`service ${name}: image ${image} has no version tag (it means :latest); pin a version`);
    } else if (tag === 'latest' || tag === 'main' || tag === 'master' || tag === 'edge') {
      problems.push(`service ${name}: image ${image} uses the moving tag "${tag}"; pin a version`);
    } else if (tag === 'local' && !service.build) {
      problems.push(`service ${name}: image ${image} is tagged local but the service has no build:; pin a released version`);
    } else if (!/\d/.test(tag) && tag !== 'local') {
      problems.push(`service ${name}: image ${image} has tag "${tag}" without a version number; pin a version`);
    }
  }
  return problems;
}

function isRootUser(user: string | undefined): boolean {
  if (user === undefined || user.trim() === '') return true; // unset: the image decides, most images run as root
  const name = user.split(':')[0]!.trim();
  return name === 'root' || name === '0';
}

/** Every service runs as a non-root user, or is in an explicit allow-list with its reason. */
export function checkNonRoot(model: ComposeModel, rootAllowed = ROOT_ALLOWED, nonRootImages = NON_ROOT_IMAGES): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(model.services)) {
    if (service.user === undefined && service.image && nonRootImages[service.image]) continue;
    if (!isRootUser(service.user)) continue;
    if (rootAllowed[name]) {
      const caps = service.cap_add ?? [];
      if (service.network_mode !== 'none' || caps.some((c) => c !== 'CHOWN') || !(service.cap_drop ?? []).includes('ALL')) {
        problems.push(`service ${name}: allowed to run as root only with network_mode: none, cap_drop: [ALL] and at most cap_add: [CHOWN]`);
      }
      continue;
    }
    problems.push(
      `service ${name}: runs as ${service.user ? `"${service.user}"` : 'the image default (root)'}; set user: to a non-root uid (or allow-list the image with a reason)`,
    );
  }
  return problems;
}

const SECRET_NAME = /(password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|cluster[_-]?id)/i;
const SECRET_REFERENCE = /^\$\{([A-Z][A-Z0-9_]*):\?\1 missing: run create-iot-platform or fill \.env\}$/;
/** A value that is a reference, not a secret: `${NAME:?…}` from .env, or `$$NAME`/`$NAME` read by a shell in the container. */
function isReference(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  return SECRET_REFERENCE.test(v) || /^\$\$?\{?[A-Z][A-Z0-9_]*\}?$/.test(v) || v === '';
}

/**
 * No literal password-like value in the file as written: every environment variable, extension field or
 * config line whose name looks like a secret holds only `${NAME:?NAME missing: run create-iot-platform or fill .env}`.
 */
export function checkNoLiteralSecrets(raw: unknown): string[] {
  const problems: string[] = [];
  const visit = (node: unknown, path: string) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${path}[${i}]`));
      return;
    }
    if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        const here = path ? `${path}.${key}` : key;
        if (SECRET_NAME.test(key) && (typeof value === 'string' || typeof value === 'number') && !isReference(String(value))) {
          problems.push(`${here}: literal secret value; write \${${key.toUpperCase()}:?${key.toUpperCase()} missing: run create-iot-platform or fill .env} and keep the value in .env`);
        } else {
          visit(value, here);
        }
      }
      return;
    }
    if (typeof node === 'string') {
      // KEY=value list items and config text embedded in strings (e.g. FLINK_PROPERTIES lines).
      for (const line of node.split('\n')) {
        const m = /^\s*-?\s*([A-Za-z0-9_.-]+)\s*[:=]\s*(\S.*?)\s*$/.exec(line);
        if (m && SECRET_NAME.test(m[1]!) && !isReference(m[2]!)) {
          problems.push(`${path}: "${m[1]}" has a literal secret value; reference \${NAME:?…} from .env instead`);
        }
        for (const flag of line.matchAll(/--(?:requirepass|password)[ =]("?)([^"\s]+)\1/g)) {
          if (!isReference(flag[2]!)) problems.push(`${path}: command line passes a literal password; read it from the environment`);
        }
      }
    }
  };
  visit(raw, '');
  return problems;
}

/**
 * One-shot services: another service waits for them with service_completed_successfully, or they are
 * run on demand in the `batch` profile. Everything else is long-running.
 */
export function oneShotServices(model: ComposeModel): Set<string> {
  const oneShot = new Set<string>();
  for (const service of Object.values(model.services)) {
    for (const [dep, spec] of Object.entries(service.depends_on ?? {})) {
      if (spec.condition === 'service_completed_successfully') oneShot.add(dep);
    }
  }
  for (const [name, service] of Object.entries(model.services)) {
    if (service.profiles?.includes('batch')) oneShot.add(name);
  }
  return oneShot;
}

/** Every long-running service has a healthcheck (so `up --wait` and depends_on conditions mean something). */
export function checkHealthchecks(model: ComposeModel): string[] {
  const oneShot = oneShotServices(model);
  const problems: string[] = [];
  for (const [name, service] of Object.entries(model.services)) {
    if (oneShot.has(name)) continue;
    const hc = service.healthcheck;
    if (!hc || hc.disable || !hc.test || hc.test.length === 0 || hc.test[0] === 'NONE') {
      problems.push(`service ${name}: long-running but has no healthcheck; add healthcheck.test`);
    }
  }
  return problems;
}

/** depends_on always states a condition that waits for health or completion, not just the container start. */
export function checkDependsOnConditions(model: ComposeModel): string[] {
  const problems: string[] = [];
  const allowed = new Set(['service_healthy', 'service_completed_successfully', 'service_started']);
  for (const [name, service] of Object.entries(model.services)) {
    for (const [dep, spec] of Object.entries(service.depends_on ?? {})) {
      if (!spec.condition || !allowed.has(spec.condition)) {
        problems.push(`service ${name}: depends_on ${dep} has no condition; use service_healthy or service_completed_successfully`);
      }
      if (!model.services[dep]) problems.push(`service ${name}: depends_on unknown service ${dep}`);
    }
  }
  return problems;
}

export function allComposeProblems(model: ComposeModel, raw: unknown): string[] {
  return [
    ...checkPortsLocalhost(model),
    ...checkImagesPinned(model),
    ...checkNonRoot(model),
    ...checkNoLiteralSecrets(raw),
    ...checkHealthchecks(model),
    ...checkDependsOnConditions(model),
  ];
}

/** Runs the real Compose CLI: `docker-compose --profile '*' config` in `dir`; returns the normalised model. */
export function composeConfig(bin: string, dir: string, extraArgs: string[] = []): ComposeModel {
  const out = execFileSync(bin, ['--project-directory', dir, ...extraArgs, '--profile', '*', 'config', '--format', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv(),
  });
  return JSON.parse(out) as ComposeModel;
}

/** `config --quiet`: schema validation, interpolation from .env and model consistency; throws with Compose's message. */
export function composeValidate(bin: string, dir: string, extraArgs: string[] = []): void {
  execFileSync(bin, ['--project-directory', dir, ...extraArgs, '--profile', '*', 'config', '--quiet'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv(),
  });
}

/** The test's own environment must not leak into interpolation (only the project's .env counts). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return env;
}
