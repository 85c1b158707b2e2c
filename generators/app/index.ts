// The `create` generator: asks what is still unanswered, builds the manifest, renders the project and
// writes it (or prints the plan with --dry-run), then installs dependencies and makes the first commit.
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import Generator, { type BaseOptions } from 'yeoman-generator';
import { createManifest } from '../../manifest/create.ts';
import type { Manifest } from '../../manifest/schema.ts';
import { validateManifest } from '../../manifest/load.ts';
import { renderProject, type PlannedFile } from '../../renderer/render.ts';
import { renderEnv } from '../../renderer/env.ts';
import { BLUEPRINTS_DIR } from '../../renderer/catalog.ts';
import { platformVersion } from '../../renderer/package-root.ts';
import { UserError } from '../../cli/errors.ts';
import { answersOf, QUESTIONS, promptQuestions, unanswered, withDefaults, type CreateAnswers } from './questions.ts';

export const NAMESPACE = 'iot-platform:app';

export type AppOptions = BaseOptions & {
  answers?: Partial<CreateAnswers>;
  /** A manifest to replay (--answers FILE); flags in `answers` override its fields. */
  replay?: Manifest;
  yes?: boolean;
  dryRun?: boolean;
  skipGit?: boolean;
  platformDependency?: string;
  /** Where progress lines go (stdout of the CLI); silent when absent. */
  report?: (line: string) => void;
};

export default class AppGenerator extends Generator<Record<string, unknown>, AppOptions> {
  answers!: CreateAnswers;
  manifest!: Manifest;
  plan: PlannedFile[] = [];

  constructor(args?: string[], options?: AppOptions) {
    super(args ?? [], options ?? ({} as AppOptions));
    this.sourceRoot(BLUEPRINTS_DIR);
  }

  async prompting() {
    const known = { ...answersOf(this.options.replay), ...this.options.answers };
    if (!this.options.yes && unanswered(known).length > 0) {
      Object.assign(known, await this.prompt(promptQuestions(known) as never));
    }
    this.answers = withDefaults(known);
    const problem = QUESTIONS.find((q) => q.name === 'name')!.validate!(this.answers.name);
    if (problem) throw new UserError(problem);
  }

  configuring() {
    const replay = this.options.replay;
    const fresh = createManifest(this.answers);
    this.manifest = replay
      ? validateManifest(
          {
            ...replay,
            platform: { version: platformVersion() },
            blueprint: fresh.blueprint,
            project: { ...replay.project, name: fresh.project.name },
            components: fresh.components,
            deploy: { ...replay.deploy, targets: fresh.deploy.targets },
          },
          '--answers',
        )
      : fresh;
    this.plan = renderProject(this.manifest, { platformDependency: this.options.platformDependency });
  }

  writing() {
    if (this.options.dryRun) return;
    for (const file of this.plan) this.fs.write(this.destinationPath(file.path), file.content);
    this.fs.write(this.destinationPath('.env'), renderEnv(this.manifest));
  }

  end() {
    if (this.options.dryRun) return;
    for (const file of this.plan) {
      if (file.executable) chmodSync(this.destinationPath(file.path), 0o755);
    }
    if (!this.options.skipGit) initialCommit(this.destinationRoot(), this.manifest.blueprint, this.options.report);
  }
}

/** Yeoman runs every public method as a task, so helpers live outside the class. */
function initialCommit(cwd: string, blueprint: string, report?: (line: string) => void) {
  const git = (...args: string[]) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  try {
    git('rev-parse', '--is-inside-work-tree');
    report?.('Inside an existing git repository: skipped git init.');
    return;
  } catch {
    // not inside a repository: make one
  }
  try {
    git('init', '--quiet', '--initial-branch=main');
    git('add', '--all');
    const identity = hasGitIdentity(git) ? [] : ['-c', 'user.name=create-iot-platform', '-c', 'user.email=create-iot-platform@localhost'];
    git(...identity, 'commit', '--quiet', '--no-verify', '-m', `Initial commit from create-iot-platform ${platformVersion()} (${blueprint})`);
    report?.('Initialised a git repository with the first commit.');
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n')[0] ?? (error as Error).message.split('\n')[0];
    throw new UserError(`git init failed in ${cwd}: ${detail}; rerun with --skip-git`);
  }
}

function hasGitIdentity(git: (...args: string[]) => string): boolean {
  try {
    return git('config', 'user.email').trim() !== '';
  } catch {
    return false;
  }
}
