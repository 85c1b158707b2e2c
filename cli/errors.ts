// Errors meant for the user. The CLI maps them to exit codes in exactly one place (cli/main.ts).

/** Something the user can fix: bad input, a missing flag, a non-empty folder. Exit code 1. */
export class UserError extends Error {
  override name = 'UserError';
}

export const EXIT = { ok: 0, user: 1, internal: 2, conflicts: 3 } as const;

/** Every exit code of create-iot-platform and its subcommands, for --help. */
export const EXIT_MEANINGS: Record<(typeof EXIT)[keyof typeof EXIT], string> = {
  0: 'ok',
  1: 'user error (bad input; lint found problems; sync could not update a repository)',
  2: 'internal error (please report it)',
  3: 'upgrade applied with conflicts to resolve',
};
