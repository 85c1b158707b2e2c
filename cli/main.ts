// The process entry: parse, dispatch, and map errors to exit codes in exactly one place.
import { parseCreateArgs } from './args.ts';
import { EXIT, UserError } from './errors.ts';
import { helpText } from './help.ts';
import { COMMANDS } from './commands.ts';
import { platformVersion } from '../renderer/package-root.ts';

export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const command = argv[0] ? COMMANDS[argv[0]] : undefined;
    if (command) return await (await command())(argv.slice(1), process.cwd(), out);
    const flags = parseCreateArgs(argv);
    if (flags.help) {
      process.stdout.write(helpText(platformVersion()));
      return EXIT.ok;
    }
    if (flags.version) {
      process.stdout.write(`${platformVersion()}\n`);
      return EXIT.ok;
    }
    const { create } = await import('./create.ts'); // Yeoman is most of the start-up time: load it only to create
    await create(flags, {
      out,
      interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UserError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.user;
    }
    if ((error as Error)?.name === 'ExitPromptError') {
      process.stderr.write('Cancelled.\n');
      return EXIT.user;
    }
    process.stderr.write(
      `internal error: ${(error as Error)?.stack ?? String(error)}\nPlease report it with the command you ran.\n`,
    );
    return EXIT.internal;
  }
}
