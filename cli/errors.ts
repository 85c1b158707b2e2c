// Errors meant for the user. The CLI maps them to exit codes in exactly one place (cli/main.ts).

/** Something the user can fix: bad input, a missing flag, a non-empty folder. Exit code 1. */
export class UserError extends Error {
  override name = 'UserError';
}

export const EXIT = { ok: 0, user: 1, internal: 2 } as const;
