// The `.env` of a generated repository: settings and per-project random secrets (git-ignored), and its
// committed twin `.env.example` with the secrets left blank. The component catalog's table drives both.
import type { Manifest } from '../manifest/schema.ts';
import { envEntriesFor, type EnvEntry } from './component-catalog.ts';

export function renderEnv(manifest: Manifest): string {
  return render(manifest, (entry) => (entry.value ? entry.value(manifest) : entry.secret!()));
}

export function renderEnvExample(manifest: Manifest): string {
  return render(manifest, (entry) => (entry.value ? entry.value(manifest) : ''));
}

function render(manifest: Manifest, valueOf: (entry: EnvEntry) => string): string {
  const lines = [
    '# Settings and secrets of this project. `.env` is git-ignored and holds random secrets made at creation;',
    '# `.env.example` lists the same names with the secrets left blank: fill each with a long random value',
    '# (for example `openssl rand -base64 24`). Nothing here has a default password.',
  ];
  for (const entry of envEntriesFor(manifest)) {
    lines.push('', `# ${entry.comment}${entry.value ? '' : ' (secret)'}`, `${entry.name}=${valueOf(entry)}`);
  }
  return `${lines.join('\n')}\n`;
}
