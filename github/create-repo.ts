// `create-iot-platform --github owner/name`: create the repository (user or organisation), push the generated
// tree as one commit through the git data API, set description and topics, protect the default branch.
// Everything that can be checked without writing (token, scopes, owner, name free) is checked before the
// project is generated; a failure after that leaves the local project intact and says what exists on GitHub.
import { execFileSync } from 'node:child_process';
import { UserError } from '../cli/errors.ts';
import { createClient, describeApiError, hasScope, isApiError, scopesOf, type Client, type ClientOptions } from './client.ts';
import { createCommit, type CommitSpec, type TreeFile } from './git-data.ts';

export const PLATFORM_TOPIC = 'iot-platform';
/**
 * The status checks the default branch requires: the CI caller's jobs as GitHub names reusable-workflow
 * checks ("<caller job> / <called job>").
 */
export const REQUIRED_CHECKS = ['lint / lint'];

export interface RepoSpec {
  owner: string;
  name: string;
  private: boolean;
}

export interface Preflight {
  client: Client;
  spec: RepoSpec;
  login: string;
  ownerIsUser: boolean;
  scopes?: string[];
}

export interface Published {
  htmlUrl: string;
  cloneUrl: string;
  defaultBranch: string;
  commitSha: string;
  protected: boolean;
  warnings: string[];
}

export function parseRepoSpec(value: string, isPrivate: boolean): RepoSpec {
  const match = value.trim().match(/^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/);
  if (!match || match[2] === '.' || match[2] === '..' || match[2]!.endsWith('.git')) {
    throw new UserError(`--github: expected OWNER/NAME (a user or organisation and a repository name), got "${value}"`);
  }
  return { owner: match[1]!, name: match[2]!, private: isPrivate };
}

/** Read-only checks before anything is written: token, its scopes, the owner, and that the name is free. */
export async function preflight(spec: RepoSpec, options: ClientOptions = {}): Promise<Preflight> {
  const client = createClient({ maxRateLimitWaitSeconds: 60, ...options });
  const { octokit } = client;
  const fail = (error: unknown, what: string): never => {
    throw new UserError(`--github ${spec.owner}/${spec.name}: ${describeApiError(error, what, neededScopes(spec), { granted: client.granted })}`);
  };
  const user = await octokit.rest.users.getAuthenticated().catch((error: unknown) => fail(error, 'checking the token'));
  const scopes = scopesOf(user.headers as Record<string, string>);
  if (scopes) {
    const missing = neededScopes(spec).filter((s) => !hasScope(scopes, s));
    if (missing.length) {
      throw new UserError(
        `--github ${spec.owner}/${spec.name}: the GitHub token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has: ${scopes.join(', ') || 'none'}); ${missing.includes('workflow') ? 'the workflow scope is needed to push .github/workflows; ' : ''}create a token with ${neededScopes(spec).join(', ')} (gh auth refresh -s ${missing.join(',')})`,
      );
    }
  }
  const login = user.data.login;
  const ownerIsUser = login.toLowerCase() === spec.owner.toLowerCase();
  if (!ownerIsUser) {
    try {
      await octokit.rest.orgs.get({ org: spec.owner });
    } catch (error) {
      if (isApiError(error) && error.status === 404) {
        throw new UserError(
          `--github ${spec.owner}/${spec.name}: "${spec.owner}" is neither the token's user (${login}) nor an organisation it can see; check the owner or the token's read:org access`,
        );
      }
      fail(error, `looking up the organisation ${spec.owner}`);
    }
  }
  try {
    const { data } = await octokit.rest.repos.get({ owner: spec.owner, repo: spec.name });
    throw new UserError(`--github ${spec.owner}/${spec.name}: the repository already exists (${data.html_url}); choose another name or delete it first`);
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (!(isApiError(error) && error.status === 404)) fail(error, 'checking that the repository name is free');
  }
  return { client, spec, login, ownerIsUser, scopes };
}

function neededScopes(spec: RepoSpec): string[] {
  return [spec.private ? 'repo' : 'public_repo', 'workflow'];
}

/**
 * Creates the repository and pushes `files` as its only commit (with the local commit's author, committer
 * and message when given, so that its SHA equals the local one), then topics and branch protection.
 */
export async function publish(
  pre: Preflight,
  input: { files: TreeFile[]; commit: Omit<CommitSpec, 'parents'>; description?: string; topics: string[]; branch: string },
  log: (line: string) => void = () => {},
): Promise<Published> {
  const { octokit } = pre.client;
  const { owner, name } = pre.spec;
  const full = `${owner}/${name}`;
  let created = false;
  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      const state = created
        ? `; the repository ${full} exists on GitHub but is incomplete: delete it (gh repo delete ${full}) and run again`
        : '';
      throw new UserError(`--github ${full}: ${describeApiError(error, what, neededScopes(pre.spec), { granted: pre.client.granted })}${state}`);
    }
  };
  const body = {
    name,
    description: input.description,
    private: pre.spec.private,
    auto_init: true, // the git data API cannot write into an empty repository; our commit replaces this one
    has_wiki: false,
  };
  const { data: repo } = await step('creating the repository', async () => {
    try {
      return pre.ownerIsUser
        ? await octokit.rest.repos.createForAuthenticatedUser(body)
        : await octokit.rest.repos.createInOrg({ org: owner, ...body });
    } catch (error) {
      if (isApiError(error) && error.status === 422 && /already exists/i.test(JSON.stringify(error.response?.data ?? {}))) {
        throw new UserError(`--github ${full}: the repository already exists; choose another name or delete it first`);
      }
      throw error;
    }
  });
  created = true;
  log(`Created the GitHub repository ${repo.html_url}`);
  const ref = { owner, repo: name };
  const pushed = await step('pushing the generated files', async () => {
    const commit = await createCommit(octokit, ref, input.files, { ...input.commit, parents: [] });
    if (repo.default_branch === input.branch) {
      await octokit.rest.git.updateRef({ ...ref, ref: `heads/${input.branch}`, sha: commit.commitSha, force: true });
    } else {
      await octokit.rest.git.createRef({ ...ref, ref: `refs/heads/${input.branch}`, sha: commit.commitSha });
      await octokit.rest.repos.update({ ...ref, default_branch: input.branch });
      await octokit.rest.git.deleteRef({ ...ref, ref: `heads/${repo.default_branch}` });
    }
    return commit;
  });
  log(`Pushed ${input.files.length} files as one commit (${pushed.commitSha.slice(0, 7)}) to ${input.branch}`);
  await step('setting the topics', () => octokit.rest.repos.replaceAllTopics({ ...ref, names: input.topics }));
  const warnings: string[] = [];
  let isProtected = false;
  await step('protecting the default branch', async () => {
    try {
      await octokit.rest.repos.updateBranchProtection({
        ...ref,
        branch: input.branch,
        required_status_checks: { strict: true, contexts: REQUIRED_CHECKS },
        enforce_admins: false,
        required_pull_request_reviews: null,
        restrictions: null,
      });
      isProtected = true;
    } catch (error) {
      // GitHub's free plan has no protection for private repositories: the repository is complete otherwise.
      if (isApiError(error) && error.status === 403 && /upgrade|not available|GitHub Pro/i.test(error.response?.data?.message ?? '')) {
        warnings.push(`branch protection is not available for this private repository on its GitHub plan; ${input.branch} is unprotected`);
        return;
      }
      throw error;
    }
  });
  return { htmlUrl: repo.html_url, cloneUrl: repo.clone_url, defaultBranch: input.branch, commitSha: pushed.commitSha, protected: isProtected, warnings };
}

/**
 * Links the local repository to the new remote. When GitHub's commit is the local commit (same SHA), the
 * branch tracks origin and is up to date; otherwise only the remote is added.
 */
export function linkLocalRepository(dir: string, published: Published, localSha: string | undefined): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  git('remote', 'add', 'origin', published.cloneUrl);
  if (localSha !== published.commitSha) {
    return `Added the remote origin (${published.cloneUrl}); GitHub's first commit differs from the local one: run git fetch origin && git reset --hard origin/${published.defaultBranch}`;
  }
  git('update-ref', `refs/remotes/origin/${published.defaultBranch}`, localSha);
  git('config', `branch.${published.defaultBranch}.remote`, 'origin');
  git('config', `branch.${published.defaultBranch}.merge`, `refs/heads/${published.defaultBranch}`);
  return `Added the remote origin (${published.cloneUrl}); ${published.defaultBranch} tracks origin/${published.defaultBranch} (same commit)`;
}
