// Where a YAML syntax error really is. The yaml parser reports an unclosed `[`, `{` or quote where it gave up
// (often the line after the last one, past the end of the file); the user needs the line that opened it.
import { isCollection, isPair, isScalar, visit, type Document, type YAMLError } from 'yaml';

export interface YamlProblem {
  /** 1-based line to show the user, always a line of the file. */
  line: number;
  /** What is wrong, without the parser's own "at line N, column M" (which may disagree with `line`). */
  reason: string;
}

export function describeYamlError(doc: Document, error: YAMLError, text: string): YamlProblem {
  const unclosed = unclosedAt(doc, text, error.pos[0]);
  if (unclosed) return { line: lineOf(text, unclosed.start), reason: `the ${unclosed.opener} opened here is never closed` };
  const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { line: lineOf(text, error.pos[0]), reason };
}

/** The innermost flow collection or quoted scalar that runs up to `offset` without its closing character. */
function unclosedAt(doc: Document, text: string, offset: number): { start: number; opener: string } | undefined {
  let found: { start: number; opener: string } | undefined;
  visit(doc, (_key, node) => {
    const range = (node as { range?: [number, number, number] }).range;
    if (!range || range[0] >= offset || range[1] < offset) return;
    const source = text.slice(range[0], range[1]).trimEnd();
    if (isCollection(node) && node.flow) {
      const [opener, closer] = source.startsWith('{') ? ['{', '}'] : ['[', ']'];
      // Its own closer comes after its last item (an inner collection's closer does not count).
      const afterItems = Math.max(range[0] + 1, ...node.items.map(endOf));
      if (!text.slice(afterItems, range[1]).includes(closer!)) found = { start: range[0], opener: `"${opener}"` };
    } else if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) {
      const quote = node.type === 'QUOTE_DOUBLE' ? '"' : "'";
      if (source.length < 2 || !source.endsWith(quote)) found = { start: range[0], opener: quote === '"' ? 'double quote' : 'single quote' };
    }
  });
  return found;
}

/** Where an item of a collection ends: a node, or a key: value pair. */
function endOf(item: unknown): number {
  const range = (node: unknown) => (node as { range?: [number, number, number] } | null)?.range?.[1] ?? 0;
  if (isPair(item)) return Math.max(range(item.key), range(item.value));
  return range(item);
}

/** The 1-based line of a character offset, clamped to the file's last line. */
function lineOf(text: string, offset: number): number {
  const lines = text.replace(/\n$/, '').split('\n').length;
  const line = text.slice(0, offset).split('\n').length;
  return Math.max(1, Math.min(line, lines));
}
