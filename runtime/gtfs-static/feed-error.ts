// What is wrong with a feed, said once: the file, the row (the line the record starts on; the header is
// row 1), the field, the problem and what to do about it. `line` is the text after "gtfs:load: error: ".
export class FeedError extends Error {
  override name = 'FeedError';
  readonly file: string;
  readonly row: number | undefined;
  readonly field: string | undefined;

  constructor(file: string, row: number | undefined, field: string | undefined, problem: string, fix: string) {
    super(`${file}${row === undefined ? '' : `:${row}`}${field === undefined ? '' : ` field ${field}`}: ${problem}; ${fix}`);
    this.file = file;
    this.row = row;
    this.field = field;
  }

  get line(): string {
    return this.message;
  }
}
