// Redis key templates from the manifest's sinks.redis[].key: "sensors:{env}:{tenant}:device:{device_id}:state".
// fill() builds a key from a record's fields, scanPattern() a SCAN MATCH pattern for readers, and
// parse() recovers the placeholder values from a concrete key.

export interface KeyTemplate {
  template: string;
  names: string[];
  /** The key for these fields, or undefined when a placeholder has no (non-empty) value. */
  fill(fields: Record<string, unknown>): string | undefined;
  /** A SCAN MATCH pattern: known placeholders filled (glob-escaped), the others "*". */
  scanPattern(known: Record<string, string>): string;
  /** Placeholder values of a concrete key, or undefined when it does not fit the template. */
  parse(key: string): Record<string, string> | undefined;
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function stringify(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text === '' ? undefined : text;
}

export function compileKeyTemplate(template: string): KeyTemplate {
  const parts: ({ literal: string } | { name: string })[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push({ literal: template.slice(last, m.index) });
    parts.push({ name: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ literal: template.slice(last) });
  const names = parts.flatMap((p) => ('name' in p ? [p.name] : []));
  const regex = new RegExp(`^${parts.map((p) => ('name' in p ? '(.+?)' : escapeRegExp(p.literal))).join('')}$`);
  return {
    template,
    names,
    fill(fields) {
      let key = '';
      for (const part of parts) {
        if ('literal' in part) key += part.literal;
        else {
          const value = stringify(fields[part.name]);
          if (value === undefined) return undefined;
          key += value;
        }
      }
      return key;
    },
    scanPattern(known) {
      return parts
        .map((p) => ('literal' in p ? escapeGlob(p.literal) : known[p.name] !== undefined ? escapeGlob(known[p.name]!) : '*'))
        .join('');
    },
    parse(key) {
      const m = regex.exec(key);
      if (!m) return undefined;
      const values: Record<string, string> = {};
      names.forEach((name, i) => {
        values[name] = m[i + 1]!;
      });
      return values;
    },
  };
}

/** Hash fields of a JSON record: every non-null field, stringified (objects as JSON). */
export function toHashFields(value: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    fields[name] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return fields;
}
