import type { ResultSetHeader } from 'mysql2';

/**
 * SQL text reading a DATETIME column holding UTC as an ISO-8601 string, so
 * that the value does not depend on the session's or the driver's time zone.
 */
export function utcText(column: string): string {
  return `DATE_FORMAT(${column}, '%Y-%m-%dT%H:%i:%s.%fZ')`;
}

/** Parses a value written by {@link utcText}. */
export function fromUtcText(text: string): Date {
  return new Date(text);
}

/** A Date as the UTC DATETIME literal MySQL accepts (`YYYY-MM-DD HH:MM:SS.mmm`). */
export function toUtcDatetime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** `?, ?, ?` for `count` parameters. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/**
 * Rows an UPDATE matched, changed or not. MySQL's affected-rows count leaves
 * out rows whose values did not change (a checkpoint stored twice), so the
 * server's "Rows matched" info is read when it is there.
 */
export function matchedRows(header: ResultSetHeader): number {
  const match = /Rows matched:\s*(\d+)/.exec(header.info ?? '');
  return match ? Number(match[1]) : header.affectedRows;
}

/** A JSON column's value: MariaDB returns text, MySQL 8 (through mysql2) a parsed value. */
export function parseJsonColumn(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/** A VARBINARY column (stream ids) back to the string that was stored. */
export function binaryText(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}
