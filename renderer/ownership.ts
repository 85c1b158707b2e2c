// File ownership in generated repositories (DESIGN.md §4):
// platform-owned files are regenerated on every upgrade and carry a header; shared files are scaffolded
// once and 3-way merged on upgrade; user-owned files are scaffolded once and never touched again.
import { matchesGlob } from './glob.ts';

export type Ownership = 'platform' | 'shared' | 'user';

export interface OwnershipRules {
  platform: string[];
  user: string[];
}

/** The first layer (blueprint before base) with a matching rule decides; anything unmatched is shared. */
export function classify(path: string, layers: OwnershipRules[]): Ownership {
  for (const rules of layers) {
    if (rules.platform.some((p) => matchesGlob(path, p))) return 'platform';
    if (rules.user.some((p) => matchesGlob(path, p))) return 'user';
  }
  return 'shared';
}

export const HEADER_MARK = 'Managed by create-iot-platform';
/** No version in it: the lock records the platform version, so a release without template changes changes no file. */
const HEADER_TEXT = `${HEADER_MARK}. Do not edit: upgrades regenerate this file and lint flags hand edits.`;
/** The header of earlier platform versions, which carried the version ("… create-iot-platform 0.1.0. Do not edit"). */
const VERSIONED_HEADER = /^((?:#![^\n]*\n)?[^\n]*?Managed by create-iot-platform) \S+?(\. Do not edit: )/;

/** Comment syntax per file type; `undefined` means the format has no comments (JSON): the lock file alone records it. */
function commentStyle(path: string): ((text: string) => string) | undefined {
  const name = path.split('/').pop()!;
  if (/\.(json)$/.test(name)) return undefined;
  if (/\.(ts|js|mjs|cjs|java)$/.test(name)) return (t) => `// ${t}`;
  if (/\.sql$/.test(name)) return (t) => `-- ${t}`;
  if (/\.(md|html)$/.test(name)) return (t) => `<!-- ${t} -->`;
  return (t) => `# ${t}`; // YAML, shell, conf, Dockerfile, .gitignore, .env files, TOML, properties
}

export function headerLine(path: string): string | undefined {
  return commentStyle(path)?.(HEADER_TEXT);
}

export function withHeader(path: string, content: string): string {
  const header = headerLine(path);
  if (!header) return content;
  if (content.startsWith('#!')) {
    const end = content.indexOf('\n') + 1;
    return `${content.slice(0, end)}${header}\n${content.slice(end)}`;
  }
  return `${header}\n${content}`;
}

/** A file with the header of an earlier platform version (first line, or second after a shebang) gets today's header. */
export function withCurrentHeader(content: string): string {
  return content.replace(VERSIONED_HEADER, '$1$2');
}
