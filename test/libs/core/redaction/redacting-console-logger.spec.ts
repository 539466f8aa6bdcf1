import { RedactingConsoleLogger } from '@cello/core/redaction/redacting-console-logger';

describe('RedactingConsoleLogger', () => {
  let written: string[];
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;

  beforeEach(() => {
    written = [];
    const capture = (chunk: string | Uint8Array): boolean => {
      written.push(String(chunk));
      return true;
    };
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  });

  afterEach(() => {
    stdout.mockRestore();
    stderr.mockRestore();
  });

  it('should print log lines, warnings, errors and stacks without passwords', () => {
    // Given
    const logger = new RedactingConsoleLogger('Test');
    const url = 'postgres://app:s3/cr#t@db:5432/shop?password=other';

    // When
    logger.log(`connecting to ${url}`);
    logger.warn(`unreachable: ${url}`);
    logger.error(`failed: ${url}`, `Error: failed at ${url}\n    at somewhere`);

    // Then
    const text = written.join('');
    expect(text).toContain('connecting to postgres://***@db:5432/shop?password=***');
    expect(text).toContain('unreachable: postgres://***@db');
    expect(text).toContain('Error: failed at postgres://***@db');
    expect(text).not.toContain('s3/cr');
    expect(text).not.toContain('other');
  });
});
