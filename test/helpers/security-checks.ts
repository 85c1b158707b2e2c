// Security rules for GitHub workflows and composite actions (plus the compose rules of compose-checks.ts,
// re-exported so one module holds every security check). Each check takes the file's text and name and
// returns problems, one line each naming the file, the place and the fix; [] means ok.
import { parse } from 'yaml';

export * from './compose-checks.ts';

/** Owners/repositories whose reusable workflows may be referenced by an exact release tag (our own). */
export const TRUSTED_WORKFLOW_REPOS = ['IoTDataPlatform/create-iot-platform'];

type Jobs = Record<string, { permissions?: unknown; steps?: Array<{ uses?: string }>; uses?: string }>;

function load(text: string): Record<string, unknown> {
  const value = parse(text) as unknown;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A workflow (not a composite action) declares top-level `permissions:` that grant no write scope. */
export function checkTopLevelPermissions(file: string, text: string): string[] {
  const workflow = load(text);
  if (!('permissions' in workflow)) {
    return [`${file}: no top-level permissions:; add "permissions: contents: read" and grant more per job`];
  }
  const permissions = workflow.permissions;
  if (permissions === 'write-all') return [`${file}: permissions: write-all; grant only the scopes a job needs, at job level`];
  if (permissions === 'read-all' || permissions === null || (typeof permissions === 'object' && permissions !== null)) {
    const writes = typeof permissions === 'object' && permissions
      ? Object.entries(permissions).filter(([, level]) => level === 'write').map(([scope]) => scope)
      : [];
    return writes.length
      ? [`${file}: top-level permissions grant write (${writes.join(', ')}); move write scopes to the jobs that need them`]
      : [];
  }
  return [`${file}: permissions: ${JSON.stringify(permissions)} is not a permissions map; write "permissions: contents: read"`];
}

/** No job grants `write-all`; `id-token: write` only in files allowed to use OIDC. */
export function checkJobPermissions(file: string, text: string, idTokenAllowed = false): string[] {
  const problems: string[] = [];
  const jobs = (load(text).jobs ?? {}) as Jobs;
  for (const [name, job] of Object.entries(jobs)) {
    const permissions = job?.permissions;
    if (permissions === 'write-all') problems.push(`${file}: job ${name}: permissions: write-all; list the scopes it needs`);
    if (permissions && typeof permissions === 'object' && (permissions as Record<string, string>)['id-token'] === 'write' && !idTokenAllowed) {
      problems.push(`${file}: job ${name}: id-token: write outside deploy/release; remove it (OIDC is for deploying and publishing only)`);
    }
  }
  return problems;
}

const SHA = /^[0-9a-f]{40}$/;

/**
 * Every `uses:` of a third-party action is pinned to a full commit SHA with a `# vX.Y.Z` comment; local
 * actions (`./…`) are fine; `docker://` images need a digest; reusable workflows of a trusted repository may
 * use an exact release tag `vX.Y.Z` (Renovate moves it), any other repository needs a SHA.
 */
export function checkActionsPinned(file: string, text: string, trusted = TRUSTED_WORKFLOW_REPOS): string[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const m = /^\s*(?:-\s*)?uses:\s*["']?([^"'\s#]+)["']?\s*(#.*)?$/.exec(line);
    if (!m) return;
    const [, ref, comment] = m;
    const where = `${file}:${index + 1}`;
    if (ref!.startsWith('./')) return;
    if (ref!.startsWith('docker://')) {
      if (!ref!.includes('@sha256:')) problems.push(`${where}: ${ref} is not pinned; use docker://image@sha256:<digest>`);
      return;
    }
    const at = ref!.lastIndexOf('@');
    if (at < 0) {
      problems.push(`${where}: ${ref} has no ref; pin it to a full commit SHA with a # vX.Y.Z comment`);
      return;
    }
    const name = ref!.slice(0, at);
    const version = ref!.slice(at + 1);
    const repo = name.split('/').slice(0, 2).join('/');
    if (name.includes('/.github/workflows/') && trusted.includes(repo)) {
      if (!/^v\d+\.\d+\.\d+$/.test(version)) {
        problems.push(`${where}: ${ref}: the platform's reusable workflows are referenced by an exact release tag vX.Y.Z`);
      }
      return;
    }
    if (!SHA.test(version)) {
      problems.push(`${where}: ${ref} is pinned to "${version}", a movable tag or branch; pin it to the full commit SHA with a # vX.Y.Z comment`);
    } else if (!comment || !/#\s*v\d+(\.\d+){0,2}\b/.test(comment)) {
      problems.push(`${where}: ${ref}: add a "# vX.Y.Z" comment naming the version of that commit (Renovate reads it)`);
    }
  });
  return problems;
}

/** No `pull_request_target` (runs untrusted code with a write token and secrets). */
export function checkNoPullRequestTarget(file: string, text: string): string[] {
  const on = load(text).on;
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on : on && typeof on === 'object' ? Object.keys(on) : [];
  return events.includes('pull_request_target')
    ? [`${file}: on: pull_request_target runs with a write token and secrets on untrusted code; use pull_request`]
    : [];
}

/** All rules for a workflow file. */
export function workflowProblems(file: string, text: string, options: { idTokenAllowed?: boolean } = {}): string[] {
  return [
    ...checkTopLevelPermissions(file, text),
    ...checkJobPermissions(file, text, options.idTokenAllowed),
    ...checkActionsPinned(file, text),
    ...checkNoPullRequestTarget(file, text),
  ];
}

/** Rules for a composite action (no permissions of its own: it runs with its caller's). */
export function actionProblems(file: string, text: string): string[] {
  return checkActionsPinned(file, text);
}
