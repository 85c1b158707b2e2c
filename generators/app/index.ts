// The `create` generator: asks what is still unanswered, builds the manifest, renders the project and
// writes it (or prints the plan with --dry-run), then installs dependencies and makes the first commit.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Generator, { type BaseOptions } from 'yeoman-generator';
import { createManifest } from '../../manifest/create.ts';
import type { Manifest } from '../../manifest/schema.ts';
import { renderProject, type PlannedFile } from '../../renderer/render.ts';
import { renderEnv } from '../../renderer/env.ts';
import { BLUEPRINTS_DIR } from '../../renderer/catalog.ts';
import { platformVersion } from '../../renderer/package-root.ts';
import { UserError } from '../../cli/errors.ts';
import { manifestWithAnswersFile, type AnswersFile } from '../../cli/answers-file.ts';
import { QUESTIONS, promptQuestions, unanswered, withDefaults, type CreateAnswers } from './questions.ts';

export const NAMESPACE = 'iot-platform:app';

export type AppOptions = BaseOptions & {
  answers?: Partial<CreateAnswers>;
  /** The --answers FILE: a whole manifest to replay or a part of one; flags in `answers` override it. */
  replay?: AnswersFile;
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
    const known = { ...this.options.replay?.answers, ...this.options.answers };
    if (!this.options.yes && unanswered(known).length > 0) {
      Object.assign(known, await this.prompt(promptQuestions(known) as never));
    }
    this.answers = withDefaults(known);
    const problem = QUESTIONS.find((q) => q.name === 'name')!.validate!(this.answers.name, this.answers);
    if (problem) throw new UserError(problem);
  }

  configuring() {
    const fresh = createManifest(this.answers);
    this.manifest = this.options.replay ? manifestWithAnswersFile(fresh, this.options.replay) : fresh;
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
    chmodSync(this.destinationPath('.env'), 0o600); // secrets: readable by the owner only
    if (!this.options.skipGit) initialCommit(this.destinationRoot(), this.manifest.blueprint, this.options.report);
  }
}

/** Yeoman runs every public method as a task, so helpers live outside the class. */
function initialCommit(cwd: string, blueprint: string, report?: (line: string) => void) {
  if (insideGitRepository(cwd)) {
    report?.('Inside an existing git repository: skipped git init.');
    return;
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const commit = ['commit', '--quiet', '--no-verify', '-m', `Initial commit from create-iot-platform ${platformVersion()} (${blueprint})`];
  try {
    git('init', '--quiet', '--initial-branch=main');
    git('add', '--all');
    try {
      git(...commit);
    } catch (error) {
      if (!/user\.email|identity/i.test(String((error as { stderr?: string }).stderr))) throw error;
      // No git identity on this machine (a fresh CI runner): the tool signs the first commit.
      git('-c', 'user.name=create-iot-platform', '-c', 'user.email=create-iot-platform@localhost', ...commit);
    }
    report?.('Initialised a git repository with the first commit.');
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n')[0] ?? (error as Error).message.split('\n')[0];
    throw new UserError(`git init failed in ${cwd}: ${detail}; rerun with --skip-git`);
  }
}

/** Whether the folder is inside a git work tree (checked on disk: a git process costs more than the rest). */
function insideGitRepository(dir: string): boolean {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return true;
    if (dirname(current) === current) return false;
  }
}
