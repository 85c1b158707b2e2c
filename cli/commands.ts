// Subcommands of create-iot-platform (everything else is `create`). Each is loaded only when used.
// A command returns its exit code; user errors are thrown as UserError and mapped in cli/main.ts.

export type Command = (argv: string[], cwd: string, out: (line: string) => void) => Promise<number>;

export const COMMANDS: Record<string, () => Promise<Command>> = {
  stack: async () => {
    const { stack } = await import('../stack/command.ts');
    return async (argv, cwd, out) => {
      await stack(argv, cwd, out);
      return 0;
    };
  },
  lint: async () => (await import('../lint/command.ts')).lint,
  upgrade: async () => (await import('../upgrade/command.ts')).upgrade,
  sync: async () => (await import('../github/sync.ts')).syncCommand,
  env: async () => (await import('../env/command.ts')).envCommand,
};
