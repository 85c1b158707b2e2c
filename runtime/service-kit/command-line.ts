// The command line of the platform's tools (iot-rich-sim, iot-gtfs-sim): --help prints the usage; a bad option is
// refused in one line on stderr that names the option and the fix, with exit code 2.

/** A refusal of the command line whose message already names the option and the fix. */
export class UsageError extends Error {}

/**
 * The number an option gives, or `fallback` when it is absent. An empty value, or one that is not a number or that
 * `check` refuses, is a UsageError: `--<name> <value>: not a valid <kind>; see --help`.
 */
export function numberOption(name: string, value: string | undefined, fallback: number, check: (n: number) => boolean = Number.isFinite, kind = 'number'): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !check(n)) throw new UsageError(`--${name} ${value}: not a valid ${kind}; see --help`);
  return n;
}

/** The one line that refuses a command line, from a UsageError or from node:util's parseArgs. */
export function usageErrorLine(error: unknown): string {
  const message = (error as Error).message.split('\n')[0]!;
  if (error instanceof UsageError) return message;
  // node:util's own messages (unknown option, missing value) say what is wrong but not where to look.
  return `${message.replace(/\.? To specify.*$/, '')}; see --help`;
}

/**
 * The options `parse` reads from `argv`; undefined, after printing `usage`, when `parse` returns undefined (--help).
 * When `parse` throws: `<command>: <the one line>` on stderr and exit 2.
 */
export function readOptions<T>(command: string, usage: string, parse: (argv: string[]) => T | undefined, argv = process.argv.slice(2)): T | undefined {
  let options: T | undefined;
  try {
    options = parse(argv);
  } catch (error) {
    console.error(`${command}: ${usageErrorLine(error)}`);
    process.exit(2);
  }
  if (options === undefined) console.log(usage);
  return options;
}
