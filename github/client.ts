// The GitHub client: Octokit with the throttling and retry plugins, the token and API base from the
// environment, serial writes spaced apart, and GitHub's error responses turned into one-line UserErrors.
import { Octokit } from '@octokit/rest';
import { throttling } from '@octokit/plugin-throttling';
import { retry } from '@octokit/plugin-retry';
import { UserError } from '../cli/errors.ts';
import { platformVersion } from '../renderer/package-root.ts';

export const DEFAULT_API_URL = 'https://api.github.com';
/** GitHub asks integrations to make content-creating requests serially, at least one second apart. */
export const DEFAULT_WRITE_INTERVAL_MS = 1000;

export type GitHub = InstanceType<ReturnType<typeof Octokit.plugin>>;

export interface ClientOptions {
  env?: NodeJS.ProcessEnv;
  /** Minimum spacing of writes (POST/PATCH/PUT/DELETE); default 1 s, or IOTP_GITHUB_WRITE_INTERVAL_MS. */
  writeIntervalMs?: number;
  /** Longest wait for a primary rate-limit reset before giving up (seconds). */
  maxRateLimitWaitSeconds?: number;
  /** Retries of a secondary rate limit before giving up. */
  maxSecondaryRetries?: number;
  /** Progress lines (rate-limit waits). */
  log?: (line: string) => void;
}

export interface Client {
  octokit: GitHub;
  apiUrl: string;
  /** Requests sent (retries included), for benchmarks and progress. */
  stats: { requests: number; writes: number; rateLimited: number; secondaryLimited: number; retried: number };
  /**
   * Fine-grained permissions the token has proven ("contents=write"): GitHub names what each endpoint requires
   * in x-accepted-github-permissions, on successes too, so a later refusal can name the one that is missing.
   */
  granted: Set<string>;
}

export function githubToken(env: NodeJS.ProcessEnv = process.env): string {
  const token = env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim();
  if (!token) {
    throw new UserError(
      'no GitHub token: set GITHUB_TOKEN (or GH_TOKEN) to a token with the repo and workflow scopes, e.g. GITHUB_TOKEN=$(gh auth token)',
    );
  }
  return token;
}

const ThrottledOctokit = Octokit.plugin(throttling, retry);

export function createClient(options: ClientOptions = {}): Client {
  const env = options.env ?? process.env;
  const token = githubToken(env);
  const apiUrl = (env.GITHUB_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, '');
  const interval = options.writeIntervalMs ?? numberFrom(env.IOTP_GITHUB_WRITE_INTERVAL_MS) ?? DEFAULT_WRITE_INTERVAL_MS;
  const maxWait = options.maxRateLimitWaitSeconds ?? 15 * 60;
  const maxSecondary = options.maxSecondaryRetries ?? 5;
  const stats = { requests: 0, writes: 0, rateLimited: 0, secondaryLimited: 0, retried: 0 };
  const granted = new Set<string>();
  const octokit = new ThrottledOctokit({
    auth: token,
    baseUrl: apiUrl,
    userAgent: `create-iot-platform/${platformVersion()}`,
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    throttle: {
      write: serialLimiter() as never,
      onRateLimit: (retryAfter: number, request: { method: string; url: string } & Record<string, unknown>, _octokit: unknown, retryCount: number) => {
        stats.rateLimited++;
        if (retryAfter > maxWait || retryCount >= 3) return false;
        options.log?.(`  rate limit reached (${describeRequest(request)}); waiting ${retryAfter} s for the reset`);
        return true;
      },
      onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string } & Record<string, unknown>, _octokit: unknown, retryCount: number) => {
        stats.secondaryLimited++;
        if (retryAfter > maxWait || retryCount >= maxSecondary) return false;
        options.log?.(`  secondary rate limit (${describeRequest(request)}); retrying in ${retryAfter} s`);
        return true;
      },
    },
    retry: { retries: 3 },
    // Spacing at the transport: every attempt of a write, retries included, which the plugins re-send
    // without passing through the write limiter again.
    request: { fetch: spacedFetch(interval) },
  });
  octokit.hook.before('request', (request) => {
    stats.requests++;
    if (request.method !== 'GET' && request.method !== 'HEAD') stats.writes++;
    if ((request.request as { retryCount?: number } | undefined)?.retryCount) stats.retried++;
  });
  octokit.hook.after('request', (response) => {
    const sets = acceptedPermissions(response.headers as Record<string, string | undefined>);
    // One accepted set that the request passed: the token holds every permission in it.
    if (sets.length === 1) for (const permission of sets[0]!) granted.add(permission);
  });
  return { octokit, apiUrl, stats, granted };
}

/** "GET /repos/acme/x/git/trees/…" from Octokit's request options (the URL is a template with parameters). */
function describeRequest(request: { method: string; url: string } & Record<string, unknown>): string {
  const url = request.url.replace(/\{([^}]+)\}/g, (_m, name: string) => String(request[name] ?? `{${name}}`)).replace(/^https?:\/\/[^/]+/, '');
  return `${request.method} ${url}`;
}

const numberFrom = (value: string | undefined) => (value !== undefined && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined);

/**
 * The throttling plugin's write limiter, duck-typed (`key(id).schedule(options, fn)`): one write at a time.
 * Their spacing is done by spacedFetch, which also sees the plugins' retries.
 */
function serialLimiter() {
  let chain: Promise<unknown> = Promise.resolve();
  const limiter = {
    schedule: <T>(_options: unknown, fn: () => Promise<T> | T): Promise<T> => {
      const run = chain.then(fn);
      chain = run.catch(() => undefined);
      return run;
    },
  };
  return { key: () => limiter };
}

/** fetch that starts each write (not GET/HEAD) at least `intervalMs` after the previous write started. */
function spacedFetch(intervalMs: number): typeof fetch {
  let next = 0;
  return async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      const now = Date.now();
      const start = Math.max(now, next);
      next = start + intervalMs;
      if (start > now) await new Promise((resolve) => setTimeout(resolve, start - now));
    }
    return fetch(input, init);
  };
}

/** The parts of an Octokit RequestError that we read. */
export interface ApiError {
  status: number;
  message: string;
  response?: { headers: Record<string, string | undefined>; data?: { message?: string; errors?: { message?: string; code?: string; field?: string }[] } };
  request?: { method: string; url: string };
}

export const isApiError = (error: unknown): error is ApiError =>
  typeof error === 'object' && error !== null && typeof (error as ApiError).status === 'number' && 'response' in error;

/** Scopes of a classic token (`x-oauth-scopes`); undefined for fine-grained tokens and apps, which do not send it. */
export function scopesOf(headers: Record<string, string | number | undefined>): string[] | undefined {
  const value = headers['x-oauth-scopes'];
  if (value === undefined) return undefined;
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Whether a classic token's scopes include `needed` (`repo` implies `public_repo`; `admin:org` implies `write:org`...). */
export function hasScope(scopes: string[], needed: string): boolean {
  if (scopes.includes(needed)) return true;
  if (needed === 'public_repo') return scopes.includes('repo');
  if (needed === 'read:org' || needed === 'write:org') return scopes.includes('admin:org') || (needed === 'read:org' && scopes.includes('write:org'));
  return false;
}

export function resetTime(headers: Record<string, string | number | undefined> | undefined): string {
  const reset = Number(headers?.['x-ratelimit-reset']);
  if (!Number.isFinite(reset) || reset <= 0) return 'in about an hour';
  const when = new Date(reset * 1000);
  const minutes = Math.max(0, Math.ceil((when.getTime() - Date.now()) / 60_000));
  return `at ${when.toISOString().replace(/\.\d+Z$/, 'Z')} (in ${minutes} min)`;
}

/**
 * The permission sets GitHub accepts for an endpoint, from x-accepted-github-permissions (fine-grained tokens
 * and GitHub Apps): permissions of one set joined by ",", alternative sets by ";" ("issues=write; pull_requests=write").
 */
export function acceptedPermissions(headers: Record<string, string | number | undefined> | undefined): string[][] {
  const value = headers?.['x-accepted-github-permissions'];
  if (value === undefined) return [];
  return String(value)
    .split(';')
    .map((set) => set.split(',').map((p) => p.trim()).filter((p) => /^[a-z_]+=(read|write|admin)$/.test(p)))
    .filter((set) => set.length > 0);
}

const PERMISSION_NAMES: Record<string, string> = {
  administration: 'Administration',
  contents: 'Contents',
  issues: 'Issues',
  metadata: 'Metadata',
  pull_requests: 'Pull requests',
  workflows: 'Workflows',
};

/** "pull_requests=write" as GitHub's token settings page shows it: "Pull requests: Read and write". */
export function permissionLabel(permission: string): string {
  const [name = '', access = ''] = permission.split('=');
  const title = PERMISSION_NAMES[name] ?? name.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());
  return `${title}: ${access === 'read' ? 'Read-only' : access === 'admin' ? 'Admin' : 'Read and write'}`;
}

/** Whether a proven permission covers `permission` (write covers read). */
const covered = (granted: ReadonlySet<string>, permission: string) => {
  const [name, access] = permission.split('=');
  return granted.has(permission) || (access === 'read' && (granted.has(`${name}=write`) || granted.has(`${name}=admin`))) || (access === 'write' && granted.has(`${name}=admin`));
};

/**
 * The permissions a fine-grained token lacks for a refused request: each accepted set without what the token
 * has proven; the sets are alternatives ("Issues: Read and write or Pull requests: Read and write").
 */
export function missingPermissions(sets: string[][], granted: ReadonlySet<string> = new Set()): string {
  const missing = sets.map((set) => set.filter((p) => !covered(granted, p))).filter((set) => set.length > 0);
  return (missing.length ? missing : sets).map((set) => set.map(permissionLabel).join(' and ')).join(' or ');
}

export interface ErrorContext {
  /** Permissions the token has proven (Client.granted), left out of a refusal's missing ones. */
  granted?: ReadonlySet<string>;
  /** The repository concerned ("owner/name"), named in the fix. */
  repo?: string;
}

/**
 * One line for a failed GitHub request, with what to do. `what` names the step ("creating acme/sensors").
 * Rate limits name the reset time; a fine-grained token's 403 names the permission it lacks; 401/404 name the
 * token's scopes, since GitHub answers 404 to a classic token that lacks one.
 */
export function describeApiError(error: unknown, what: string, needed: string[] = [], context: ErrorContext = {}): string {
  if (!isApiError(error)) return `${what}: ${(error as Error)?.message ?? String(error)}`;
  const headers = error.response?.headers ?? {};
  const message = error.response?.data?.message ?? error.message;
  const detail = error.response?.data?.errors?.map((e) => e.message ?? e.code).filter(Boolean).join('; ');
  const scopes = scopesOf(headers);
  const scopeNote = scopes ? ` (token scopes: ${scopes.join(', ') || 'none'})` : '';
  if ((error.status === 403 || error.status === 429) && headers['x-ratelimit-remaining'] === '0') {
    return `${what}: GitHub API rate limit exceeded; it resets ${resetTime(headers)}; retry then`;
  }
  if ((error.status === 403 || error.status === 429) && /secondary rate limit/i.test(message)) {
    return `${what}: GitHub secondary rate limit${headers['retry-after'] ? ` (retry after ${headers['retry-after']} s)` : ''}; wait a few minutes and retry`;
  }
  if (error.status === 401) return `${what}: GitHub rejected the token (401 ${message}); set GITHUB_TOKEN to a valid token`;
  if (error.status === 403 && /^Resource not accessible by (personal access token|integration)/i.test(message)) {
    return `${what}: ${describeRefusal(message, acceptedPermissions(headers), context)}`;
  }
  if (error.status === 404) {
    const accepted = String(headers['x-accepted-oauth-scopes'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (scopes && accepted.length && !accepted.some((s) => hasScope(scopes, s))) {
      const workflow = accepted.includes('workflow') ? ', which pushing .github/workflows needs' : '';
      return `${what}: the GitHub token lacks the scope ${accepted.join(' or ')}${workflow} (it has: ${scopes.join(', ') || 'none'}); add it (gh auth refresh -s ${accepted[accepted.length - 1]}) or use a token that has it`;
    }
    return `${what}: GitHub answered 404 Not Found: the repository or owner does not exist, or the token lacks a scope${scopeNote}${needed.length ? `; it needs ${needed.join(', ')}` : ''}`;
  }
  if (error.status === 403) return `${what}: GitHub refused (403 ${message})${scopeNote}; check the token's permissions`;
  if (error.status >= 500) return `${what}: GitHub failed (${error.status} ${message}) after retries; retry later`;
  return `${what}: GitHub answered ${error.status} ${message}${detail ? ` (${detail})` : ''}`;
}

/** A fine-grained token (or GitHub App) refused: the missing permission and where to grant it. */
function describeRefusal(message: string, sets: string[][], context: ErrorContext): string {
  const app = /integration/i.test(message);
  const holder = app ? 'the GitHub App installation' : 'the fine-grained token';
  const where = app ? "in the app's permissions" : 'in its settings (GitHub → Settings → Developer settings → Fine-grained tokens)';
  const on = context.repo ? ` for ${context.repo}` : '';
  const access = context.repo && !app ? `, with ${context.repo} in the token's repository access,` : '';
  if (!sets.length) return `${holder} lacks a permission${on} that GitHub did not name (403 ${message}); check its repository permissions ${where}`;
  const missing = missingPermissions(sets, context.granted);
  const workflows = sets.some((set) => set.includes('workflows=write')) && missing.includes('Workflows') ? ', which pushing .github/workflows needs' : '';
  return `${holder} lacks ${missing}${on}${workflows} (GitHub: 403 ${message}); grant it${access} ${where}`;
}
