// `create-iot-platform [folder]`: resolve the answers (flags, --answers file, prompts, defaults), check the
// target, then drive the Yeoman generator programmatically.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { QueuedAdapter, TerminalAdapter } from '@yeoman/adapter';
import AppGenerator, { NAMESPACE, type AppOptions } from '../generators/app/index.ts';
import { QUESTIONS, SETTINGS, settingProblem, unanswered, type CreateAnswers, type Setting } from '../generators/app/questions.ts';
import { readAnswersFile } from './answers-file.ts';
import { shellQuote } from './shell-quote.ts';
import { DEPLOY_TARGETS } from '../manifest/schema.ts';
import { checkComponents, getBlueprint, variantOf } from '../renderer/catalog.ts';
import type { PlannedFile } from '../renderer/render.ts';
import { packageRoot, platformVersion } from '../renderer/package-root.ts';
import type { CreateFlags } from './args.ts';
import { UserError } from './errors.ts';

export interface Terminal {
  out: (line: string) => void;
  interactive: boolean;
}

export async function create(flags: CreateFlags, terminal: Terminal): Promise<void> {
  if (flags.private && flags.github === undefined) throw new UserError('--private needs --github OWNER/NAME (it makes the GitHub repository private)');
  const github = flags.github !== undefined ? await import('../github/create-repo.ts') : undefined;
  const githubSpec = github?.parseRepoSpec(flags.github!, Boolean(flags.private));
  const fromFlags = answersFromFlags(flags);
  const replay = flags.answers ? readAnswersFile(resolve(flags.answers), fromFlags.blueprint) : undefined;
  const dependency = platformDependency(flags);
  const known = { ...replay?.answers, ...fromFlags };
  const chosenBlueprint = () => getBlueprint(known.blueprint ?? (defaultOf('blueprint', known) as string));
  if (fromFlags.variant !== undefined) variantOf(chosenBlueprint(), fromFlags.variant);
  if (fromFlags.components) checkComponents(chosenBlueprint(), fromFlags.components);
  // An answers file stands for the answers: what it leaves out takes its default, as under --yes.
  const yes = flags.yes || replay !== undefined;
  const missing = unanswered(known);
  if (!yes && missing.length > 0 && !terminal.interactive) {
    throw new UserError(
      `cannot prompt (not a terminal) and these answers are missing: ${missing.map((q) => q.flag).join(', ')}; pass them as flags, or --yes to take the defaults`,
    );
  }
  if (known.target === undefined) {
    known.target = yes ? (defaultOf('target', known) as string) : await askTarget();
  }
  const target = resolve(known.target);
  const occupied = checkTarget(target, Boolean(flags.force), Boolean(flags['dry-run']));
  // Token, scopes, owner and a free name are checked before anything is written.
  const githubReady = github && githubSpec && !flags['dry-run'] ? await github.preflight(githubSpec, { log: terminal.out }) : undefined;

  const generator = await runGenerator(target, {
    answers: known,
    replay,
    yes,
    dryRun: flags['dry-run'],
    skipInstall: flags['skip-install'] || flags['dry-run'],
    skipGit: flags['skip-git'],
    platformDependency: dependency,
    report: terminal.out,
  });
  const where = relative(process.cwd(), target) || '.';
  if (flags['dry-run']) {
    terminal.out(describePlan(generator.plan, target, where, occupied));
    if (githubSpec) {
      terminal.out(
        `Would create the ${githubSpec.private ? 'private' : 'public'} GitHub repository ${githubSpec.owner}/${githubSpec.name}, push the ${generator.plan.length} files (not .env) as one commit, set topics ${PLATFORM_TOPICS(generator.manifest.blueprint).join(', ')} and protect main`,
      );
    }
    return;
  }
  terminal.out(`Created ${generator.manifest.project.name} (${generator.manifest.blueprint} blueprint, ${generator.plan.length + 1} files) in ${where}`);
  if (github && githubReady) {
    try {
      await publishToGitHub(github, githubReady, target, generator, terminal.out);
    } catch (error) {
      if (error instanceof UserError) throw new UserError(`${error.message} (the local project in ${where} is complete)`);
      throw error;
    }
  }
  terminal.out(nextSteps(where, flags['skip-install'], flags.link ? dependency : undefined));
}

const PLATFORM_TOPICS = (blueprint: string) => ['iot-platform', blueprint];

/** Pushes what the first local commit holds (or, without git, the generated files; never .env). */
async function publishToGitHub(
  github: typeof import('../github/create-repo.ts'),
  ready: Awaited<ReturnType<typeof import('../github/create-repo.ts').preflight>>,
  target: string,
  generator: AppGenerator,
  out: (line: string) => void,
): Promise<void> {
  const { hasOwnGitRepository, readCommitSpec, readHeadFiles } = await import('../github/local-tree.ts');
  const local = hasOwnGitRepository(target);
  const commit = local
    ? readCommitSpec(target)
    : { sha: undefined, message: `Initial commit from create-iot-platform ${platformVersion()} (${generator.manifest.blueprint})\n` };
  const files = local
    ? readHeadFiles(target)
    : generator.plan.map((f) => ({ path: f.path, content: Buffer.from(f.content, 'utf8'), mode: f.executable ? ('100755' as const) : ('100644' as const) }));
  const published = await github.publish(
    ready,
    {
      files,
      commit: { message: commit.message, ...('author' in commit ? { author: commit.author, committer: commit.committer } : {}) },
      description: generator.manifest.project.description,
      topics: PLATFORM_TOPICS(generator.manifest.blueprint),
      branch: 'main',
    },
    out,
  );
  for (const warning of published.warnings) out(`Warning: ${warning}`);
  if (published.protected) out(`Protected main: pull requests need the ${github.REQUIRED_CHECKS.join(', ')} check`);
  if (local) out(github.linkLocalRepository(target, published, commit.sha));
  out(`GitHub: ${published.htmlUrl}`);
}

async function runGenerator(target: string, options: Partial<AppOptions>): Promise<AppGenerator> {
  const created = !existsSync(target);
  if (!options.dryRun) mkdirSync(target, { recursive: true });
  try {
    const { createEnv } = await import('yeoman-environment');
    const env = createEnv({
      cwd: target,
      skipInstall: options.skipInstall,
      force: true, // emptiness was checked above; --force means overwrite
      adapter: new QueuedAdapter({ adapter: options.yes ? new NoPromptAdapter(QUIET) : new TerminalAdapter(QUIET) }),
    } as never);
    env.register(AppGenerator as never, { namespace: NAMESPACE });
    const generator = (await env.create(NAMESPACE, { generatorOptions: options as never })) as unknown as AppGenerator;
    await env.runGenerator(generator as never);
    return generator;
  } catch (error) {
    if (created) rmSync(target, { recursive: true, force: true }); // nothing partially written
    throw error;
  }
}

// Yeoman's own log (a line per file, task failures) is replaced by our summary and one-line errors.
const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
const QUIET = { stderr: silent as NodeJS.WriteStream, console: new Console(silent, silent) };

/** Under --yes no question may reach the terminal: an unexpected prompt is a bug, not a hang. */
class NoPromptAdapter extends TerminalAdapter {
  override async prompt(questions: unknown): Promise<never> {
    const names = (Array.isArray(questions) ? questions : [questions]).map((q) => (q as { message?: string }).message);
    throw new Error(`unexpected prompt under --yes: ${names.join(', ')}`);
  }
}

async function askTarget(): Promise<string> {
  const adapter = new TerminalAdapter();
  try {
    const { target } = await adapter.prompt<{ target: string }>([
      { type: 'input', name: 'target', message: QUESTIONS[0]!.message, default: QUESTIONS[0]!.default({}) as string },
    ]);
    return target;
  } finally {
    adapter.close();
  }
}

/** The answers the flags give, each checked here so that its error names its flag. */
function answersFromFlags(flags: CreateFlags): Partial<CreateAnswers> {
  const answers: Partial<CreateAnswers> = {};
  if (flags.target !== undefined) answers.target = flags.target;
  if (flags.blueprint !== undefined) answers.blueprint = getBlueprint(flags.blueprint).name;
  if (flags.name !== undefined) {
    const problem = QUESTIONS.find((q) => q.name === 'name')!.validate!(flags.name, answers);
    if (problem) throw new UserError(problem);
    answers.name = flags.name;
  }
  if (flags.components !== undefined) answers.components = splitList(flags.components);
  if (flags.variant !== undefined) answers.variant = flags.variant;
  if (flags.deploy !== undefined) {
    const targets = splitList(flags.deploy);
    const unknown = targets.filter((t) => !(DEPLOY_TARGETS as readonly string[]).includes(t));
    if (unknown.length) throw new UserError(`unknown deploy target "${unknown[0]}"; choose from: ${DEPLOY_TARGETS.join(', ')} (--deploy a,b)`);
    if (!targets.length) throw new UserError(`--deploy needs at least one of: ${DEPLOY_TARGETS.join(', ')}`);
    answers.deploy = targets;
  }
  const settings: Record<Setting, string | undefined> = { description: flags.description, owner: flags.owner, timeZone: flags['time-zone'] };
  for (const [setting, value] of Object.entries(settings) as Array<[Setting, string | undefined]>) {
    if (value === undefined) continue;
    const problem = settingProblem(setting, value);
    if (problem) throw new UserError(`${problem} (${SETTINGS[setting].flag})`);
    answers[setting] = value;
  }
  return answers;
}

const defaultOf = (name: keyof CreateAnswers, known: Partial<CreateAnswers>) => QUESTIONS.find((q) => q.name === name)!.default(known);

const splitList = (value: string) => value.split(',').map((v) => v.trim()).filter(Boolean);

/**
 * A non-empty target needs --force. A dry run writes nothing, so it goes ahead: it returns what is there, for
 * the plan to say that the real run needs --force and what it would overwrite.
 */
function checkTarget(target: string, force: boolean, dryRun: boolean): string[] {
  const entries = existsSync(target) ? readdirSync(target) : [];
  if (entries.length === 0 || force) return [];
  if (dryRun) return entries;
  throw new UserError(`target folder ${target} is not empty (${entries.length} entries); choose another folder or pass --force to overwrite`);
}

/**
 * The create-iot-platform spec of the generated package.json: the released ~version unless --link (this checkout,
 * for platform development) or --platform-dependency SPEC (tests, upgrades) says otherwise.
 */
function platformDependency(flags: CreateFlags): string | undefined {
  if (!flags.link) return flags['platform-dependency'];
  if (flags['platform-dependency'] !== undefined) throw new UserError('--link and --platform-dependency both set the create-iot-platform dependency; pass one of them');
  if (flags.github !== undefined) throw new UserError('--link makes a project that installs only on this machine, so its GitHub CI would fail; drop --link or --github');
  const root = packageRoot();
  if (!existsSync(join(root, '.git'))) {
    throw new UserError(`--link needs a git checkout of create-iot-platform, but this runs from the installed package in ${root}; run bin/create-iot-platform.js of a checkout, or drop --link`);
  }
  return `file:${root}`;
}

/** `occupied`: the entries already in the target folder (for a dry run without --force). */
function describePlan(plan: PlannedFile[], target: string, where: string, occupied: string[]): string {
  const counts = { platform: 0, shared: 0, user: 0 };
  const lines = plan.map((f) => {
    counts[f.ownership]++;
    return `  ${f.ownership.padEnd(9)}${f.path}`;
  });
  const overwritten = [...plan.map((f) => f.path), '.env'].filter((path) => existsSync(join(target, path)));
  const shown = overwritten.slice(0, 5).join(', ') + (overwritten.length > 5 ? ', …' : '');
  return [
    `Dry run: would write ${plan.length + 1} files into ${where} (nothing written)`,
    ...lines,
    `  ${'user'.padEnd(9)}.env (random secrets, git-ignored)`,
    `${counts.platform} platform-owned, ${counts.shared} shared, ${counts.user + 1} user-owned`,
    ...(occupied.length
      ? [`${where} is not empty (${occupied.length} entries): the real run needs --force${overwritten.length ? ` and overwrites ${overwritten.length} file${overwritten.length > 1 ? 's' : ''} (${shown})` : ''}`]
      : []),
  ].join('\n');
}

function nextSteps(where: string, skippedInstall: boolean | undefined, linked: string | undefined): string {
  return [
    ...(linked
      ? [
          '',
          `Linked to this checkout (--link): package.json has "create-iot-platform": "${linked}".`,
          'The project installs only on this machine, next to this checkout: CI and other machines cannot install it.',
          `Generate without --link for a project that depends on the released create-iot-platform ~${platformVersion()}.`,
        ]
      : []),
    '',
    'Next steps:',
    `  cd ${shellQuote(where)}`,
    ...(skippedInstall ? ['  npm install'] : []),
    '  docker compose up -d --wait          # the whole stack; or: npm run stack -- up --native',
    '  npm run test:e2e                     # data tests against the running stack',
    '',
    'Secrets are in .env (git-ignored); iot-platform.yaml describes the project.',
  ].join('\n');
}
