// A word for the user to paste into a POSIX shell: as it is when it is safe, otherwise in single quotes.

export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
