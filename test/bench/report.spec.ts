import type { WorkloadDefinition } from '../../bench/support/workload';

interface Entry {
  cello_name: string;
  limit_name: string | null;
  ratio_vs_limit: number | null;
  targets: {
    kind: string;
    against?: string;
    min?: number;
    value: number | null;
    met: boolean | null;
  }[];
}
// report.js is the harness's CommonJS module (bench/run.js loads it without a build step).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const report = require('../../bench/support/report.js') as {
  workloadEntry(workload: WorkloadDefinition, runs: Record<string, object[]>): Entry;
  markdownTable(entries: Entry[]): string;
};

const run = (value: number, extra: Record<string, number> = {}) => ({
  measurement: { value, extra },
});
const subject = (name: string, role: 'cello' | 'peer' | 'ceiling' | 'reference') => ({
  name,
  role,
  run: () => Promise.reject(new Error('not run in this test')),
});

describe('report: a target against a named reference subject', () => {
  const workload: WorkloadDefinition = {
    name: 'scale-out',
    unit: 'orders/s',
    description: 'processes',
    postgres: true,
    targetText: '2 processes ≥ 1× 1 process',
    targets: [{ kind: 'vs-reference', subject: 'cello-1-process', min: 1 }],
    subjects: [subject('cello-1-process', 'reference'), subject('cello-2-processes', 'cello')],
  };

  it('is checked against the median of that subject, which is the limit of the row', () => {
    const entry = report.workloadEntry(workload, {
      'cello-1-process': [run(100), run(120), run(110)],
      'cello-2-processes': [run(99), run(130), run(121)],
    });
    expect(entry.cello_name).toBe('cello-2-processes');
    expect(entry.limit_name).toBe('cello-1-process');
    expect(entry.ratio_vs_limit).toBeCloseTo(1.1);
    expect(entry.targets).toEqual([
      expect.objectContaining({ against: 'cello-1-process', min: 1, met: true }),
    ]);
    expect(entry.targets[0].value).toBeCloseTo(1.1);
    const table = report.markdownTable([entry]);
    expect(table).toContain('cello-1-process: 110 (100–120)');
    expect(table).toContain('| 121 (99.0–130) |');
    expect(table).toContain('≥ 1× cello-1-process: **met** (1.10×)');
  });

  it('is not met below the minimum', () => {
    const entry = report.workloadEntry(workload, {
      'cello-1-process': [run(100)],
      'cello-2-processes': [run(90)],
    });
    expect(entry.targets[0]).toMatchObject({ met: false });
    expect(report.markdownTable([entry])).toContain('**NOT met** (0.90×)');
  });

  it('shows p50 / p99 of every subject that recorded them in the latency column', () => {
    const entry = report.workloadEntry(workload, {
      'cello-1-process': [run(100, { p50Ms: 4, p99Ms: 12 })],
      'cello-2-processes': [run(110, { p50Ms: 3.5, p99Ms: 20 })],
    });
    expect(report.markdownTable([entry])).toContain(
      '| cello-1-process: 4.00 / 12.0<br>cello-2-processes: 3.50 / 20.0 |',
    );
  });
});
