// Path globs for blueprint rules: `**` crosses folders, `*` stays inside one segment.
const compiled = new Map<string, RegExp>();

export function matchesGlob(path: string, pattern: string): boolean {
  let regex = compiled.get(pattern);
  if (!regex) {
    const source = pattern
      .split(/(\*\*\/?|\*)/)
      .map((part) => (part === '**' || part === '**/' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`);
    compiled.set(pattern, regex);
  }
  return regex.test(path);
}
