import { describe, expect, it } from 'vitest';
import { copyText } from './copy-in.ts';

describe('copyText (COPY text format)', () => {
  it('writes null as \\N, booleans as t/f, numbers as JavaScript prints them, and escapes the delimiters', () => {
    expect([null, true, false, 90_330, -122.3014966366, 'plain', 'a\tb\nc\rd\\e', '\\N'].map(copyText)).toEqual([
      '\\N', 't', 'f', '90330', '-122.3014966366', 'plain', 'a\\tb\\nc\\rd\\\\e', '\\\\N',
    ]);
  });
});
