// COPY … FROM STDIN through a pg Client, without another package: pg runs any object with `submit` as a query
// (its Submittable interface) and hands it the protocol messages; on CopyInResponse the prepared text-format
// rows go out as CopyData and CopyDone. Many times faster than INSERT for millions of rows.
import type { ClientBase, Connection } from 'pg';

type CopyConnection = Connection & {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
};

class CopyIn {
  readonly done: Promise<void>;
  private settle!: (error?: Error) => void;
  private readonly text: string;
  private readonly data: Buffer;

  constructor(text: string, data: Buffer) {
    this.text = text;
    this.data = data;
    this.done = new Promise((resolve, reject) => {
      this.settle = (error) => (error ? reject(error) : resolve());
    });
  }

  submit(connection: Connection): void {
    (connection as CopyConnection).query(this.text);
  }

  handleCopyInResponse(connection: Connection): void {
    const copy = connection as CopyConnection;
    const chunk = 1 << 20;
    for (let at = 0; at < this.data.length; at += chunk) copy.sendCopyFromChunk(this.data.subarray(at, at + chunk));
    copy.endCopyFrom();
  }

  handleError(error: Error): void {
    this.settle(error);
  }

  handleReadyForQuery(): void {
    this.settle();
  }

  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Runs `COPY <target> FROM STDIN` with rows already in PostgreSQL's text format (copyText). */
export async function copyIn(client: ClientBase, target: string, rows: string): Promise<void> {
  const copy = new CopyIn(`COPY ${target} FROM STDIN`, Buffer.from(rows));
  client.query(copy);
  await copy.done;
}

/** One value in COPY's text format: \N for null, backslash escapes for the characters that delimit. */
export function copyText(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : value;
}
