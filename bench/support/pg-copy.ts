import type { Client } from 'pg';

/**
 * `COPY ... FROM STDIN` through node-postgres's low-level protocol, without
 * `pg-copy-streams`: a "submittable" query that answers the server's
 * CopyInResponse by sending the data and CopyDone.
 */
class CopyFromQuery {
  private resolve!: (rows: number) => void;
  private reject!: (error: Error) => void;
  private rows = 0;
  readonly done = new Promise<number>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor(
    private readonly text: string,
    private readonly chunks: readonly Buffer[],
  ) {}

  /** Called by the client when it is this query's turn. */
  submit(connection: PgConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: PgConnection): void {
    for (const chunk of this.chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text: string }): void {
    this.rows = Number(/COPY (\d+)/.exec(message.text)?.[1] ?? 0);
  }

  // node-postgres drops the active query on an error, so ReadyForQuery never reaches it.
  handleError(error: Error): void {
    this.reject(error);
  }

  handleReadyForQuery(): void {
    this.resolve(this.rows);
  }
}

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** Streams `lines` (already in COPY text format, one row each) into the table; resolves to rows copied. */
export function copyFrom(
  client: Client,
  copyStatement: string,
  lines: readonly string[],
): Promise<number> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < lines.length; i += 1000) {
    chunks.push(Buffer.from(lines.slice(i, i + 1000).join('')));
  }
  const query = new CopyFromQuery(copyStatement, chunks);
  (client as unknown as { query(q: CopyFromQuery): void }).query(query);
  return query.done;
}

/** Escapes a value for COPY's text format (backslash, tab, newline, carriage return). */
export function copyText(value: string): string {
  return value.replace(
    /[\\\t\n\r]/g,
    (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!,
  );
}
