// MQTT topic patterns with {placeholders}: "{env}/{tenant}/sensors/{deviceId}/humidity".
// A segment holding a placeholder becomes "+" in the subscription filter; matching a concrete topic
// captures the placeholder values (the event's context fields).

export interface TopicPattern {
  pattern: string;
  /** MQTT subscription filter, placeholders replaced by "+". */
  filter: string;
  /** Placeholder names, in order of appearance. */
  names: string[];
  /** The captured placeholder values, or undefined when the topic does not match. */
  match(topic: string): Record<string, string> | undefined;
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compilePattern(pattern: string): TopicPattern {
  const names: string[] = [];
  const filterSegments: string[] = [];
  const regexSegments: string[] = [];
  for (const segment of pattern.split('/')) {
    if (!segment.includes('{')) {
      filterSegments.push(segment);
      regexSegments.push(escapeRegExp(segment));
      continue;
    }
    filterSegments.push('+');
    let regex = '';
    let last = 0;
    for (const m of segment.matchAll(PLACEHOLDER)) {
      regex += escapeRegExp(segment.slice(last, m.index));
      regex += '([^/]+)';
      names.push(m[1]!);
      last = m.index + m[0].length;
    }
    regex += escapeRegExp(segment.slice(last));
    regexSegments.push(regex);
  }
  const regex = new RegExp(`^${regexSegments.join('/')}$`);
  return {
    pattern,
    filter: filterSegments.join('/'),
    names,
    match(topic) {
      const m = regex.exec(topic);
      if (!m) return undefined;
      const values: Record<string, string> = {};
      names.forEach((name, i) => {
        values[name] = m[i + 1]!;
      });
      return values;
    },
  };
}

/** Routes a concrete topic to the first pattern that matches it. */
export class TopicRouter<T> {
  readonly routes: { pattern: TopicPattern; target: T }[] = [];

  add(pattern: string, target: T): void {
    this.routes.push({ pattern: compilePattern(pattern), target });
  }

  /** Distinct subscription filters of all routes. */
  filters(): string[] {
    return [...new Set(this.routes.map((r) => r.pattern.filter))];
  }

  resolve(topic: string): { target: T; context: Record<string, string> } | undefined {
    for (const route of this.routes) {
      const context = route.pattern.match(topic);
      if (context) return { target: route.target, context };
    }
    return undefined;
  }
}
