// A benchmark's native stack: brought up once, torn down (purged) on every exit path — normal end, failure,
// Ctrl-C — unless the user keeps it (BENCH_KEEP_STACK=1), and the processes the benchmark started killed first.
import { nativeDown, nativeUp } from '../../stack/native/driver.ts';

export class NativeSession {
  private up = false;
  private tearingDown: Promise<void> | undefined;
  readonly children = new Set<{ kill(): void }>();

  private readonly projectDir: string;
  private readonly keep: boolean;
  private readonly log: (line: string) => void;

  constructor(projectDir: string, keep: boolean, log: (line: string) => void) {
    [this.projectDir, this.keep, this.log] = [projectDir, keep, log];
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        log(`\n${signal}: stopping`);
        void this.teardown().finally(() => process.exit(130));
      });
    }
  }

  async start(): Promise<void> {
    this.up = true;
    await nativeUp(this.projectDir, this.log);
  }

  teardown(): Promise<void> {
    for (const child of this.children) child.kill();
    if (!this.up || this.keep) return Promise.resolve();
    this.tearingDown ??= (async () => {
      this.log('Tearing the native stack down …');
      try {
        await nativeDown(this.projectDir, () => {}, { purge: true });
      } catch (error) {
        this.log(`  teardown failed: ${(error as Error).message}; run: cd ${this.projectDir} && npm run stack -- down --purge`);
      }
      this.up = false;
    })();
    return this.tearingDown;
  }
}
