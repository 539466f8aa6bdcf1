import { execFile } from 'node:child_process';
import path from 'node:path';

/**
 * An app on the memory store installs none of the optional peers: in a child
 * process where they cannot be resolved, EventSourcingModule, CqrsModule and
 * SagaModule run a command, an aggregate round trip and a saga without
 * loading any of them; asking for a feature that needs one fails at start-up
 * with MissingPeerDependencyError naming the package to install.
 */
const ROOT = path.join(__dirname, '../..');
const OPTIONAL_PEERS = [
  'typeorm',
  'pg',
  'mysql2',
  'class-validator',
  'class-transformer',
  '@nestjs/terminus',
  '@willsoto/nestjs-prometheus',
  'prom-client',
  '@nestjs/typeorm',
];
// Generous: a child compiles the libraries on its first run, on a loaded 2-core machine.
const CHILD_LIMIT_MS = 90_000;

interface ChildRun {
  exitCode: number;
  line: { kind: 'RESULT' | 'FAILED'; value: Record<string, unknown> } | undefined;
  output: string;
}

function runApp(mode: string, blocked: readonly string[] = OPTIONAL_PEERS): Promise<ChildRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        '-r',
        path.join(ROOT, 'scripts/register-ts.js'),
        '-r',
        path.join(__dirname, 'support/block-optional-peers.js'),
        path.join(__dirname, 'support/memory-app.ts'),
        mode,
      ],
      {
        cwd: ROOT,
        timeout: CHILD_LIMIT_MS,
        env: { ...process.env, CELLO_BLOCKED_PEERS: blocked.join(','), NO_COLOR: '1' },
      },
      (error, stdout, stderr) => {
        const match = /^(RESULT|FAILED) (.*)$/m.exec(stdout);
        resolve({
          exitCode: error ? Number((error as { code?: unknown }).code ?? -1) : 0,
          line: match
            ? {
                kind: match[1] as 'RESULT' | 'FAILED',
                value: JSON.parse(match[2]) as Record<string, unknown>,
              }
            : undefined,
          output: stdout + stderr,
        });
      },
    );
  });
}

describe('optional peer dependencies', () => {
  jest.setTimeout(CHILD_LIMIT_MS * 2);

  it('runs a command, an aggregate round trip, a saga and health checks on memory without loading any optional peer', async () => {
    const run = await runApp('memory');

    expect(run.line).toBeDefined();
    expect({ kind: run.line!.kind, exitCode: run.exitCode }).toEqual({
      kind: 'RESULT',
      exitCode: 0,
    });
    const result = run.line!.value;
    expect(result.written).toEqual({ version: 1, names: ['Ada'] });
    expect(result.saga).toEqual({
      status: 'completed',
      context: { name: 'Ada', welcomed: true },
    });
    expect(result.health).toEqual({
      eventStore: { status: 'up' },
      sagaStorage: { status: 'up' },
    });
    // Nothing required; class-validator is only looked up (not loaded) to decide validation's default.
    expect(result.attempts).toEqual({ resolved: ['class-validator'], loaded: [] });
    expect(result.loadedPeerFiles).toEqual([]);
  });

  const ALL = 'every optional peer';
  it.each([
    ['event-postgres', ALL, 'pg', 'PostgreSQL event storage'],
    ['event-postgres', 'typeorm', 'typeorm', 'PostgreSQL event storage'],
    ['event-mysql', ALL, 'mysql2', 'MySQL event storage'],
    ['event-mysql', 'typeorm', 'typeorm', 'MySQL event storage'],
    ['saga-postgres', ALL, 'pg', 'PostgreSQL saga storage'],
    ['saga-postgres', 'typeorm', 'typeorm', 'PostgreSQL saga storage'],
    ['saga-mysql', ALL, 'mysql2', 'MySQL saga storage'],
    ['validation', ALL, 'class-validator', 'Validation of commands and queries'],
    ['metrics', ALL, 'prom-client', 'Cello metrics'],
  ])('%s without %s fails at start-up naming %s', async (mode, blocked, packageName, feature) => {
    const run = await runApp(mode, blocked === ALL ? OPTIONAL_PEERS : [blocked]);

    expect(run.line).toBeDefined();
    expect({ kind: run.line!.kind, exitCode: run.exitCode }).toEqual({
      kind: 'FAILED',
      exitCode: 1,
    });
    expect(run.line!.value).toEqual({
      name: 'MissingPeerDependencyError',
      code: 'missing-peer-dependency',
      packageName,
      message: `${feature} needs the package "${packageName}", which is not installed. Install it: npm install ${packageName}`,
    });
  });
});
