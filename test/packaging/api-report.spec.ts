import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// `npm run api:check` (scripts/api-report.js) must fail when a package's public
// API changes and its committed report does not. Checked on a copy of
// @cello/core (built dist, config, committed report) in a temporary folder, so
// the repository's reports are never touched.
const ROOT = path.resolve(__dirname, '../..');

interface ExtractorOutcome {
  succeeded: boolean;
  apiReportChanged: boolean;
}
interface ApiReportScript {
  runExtractor(configFile: string, options: { local: boolean; quiet: boolean }): ExtractorOutcome;
  findEntryPoints(root: string): {
    entries: { name: string; configFile: string }[];
    problems: string[];
  };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const script = require('../../scripts/api-report.js') as ApiReportScript;

describe('API reports', () => {
  let copy: string;
  let lib: string;

  beforeAll(() => {
    // api-extractor prints its notices with console.log.
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    if (!existsSync(path.join(ROOT, 'libs/core/dist/index.d.ts'))) {
      execFileSync(
        path.join(ROOT, 'node_modules/.bin/tsc'),
        ['-b', 'libs/core/tsconfig.build.json'],
        {
          cwd: ROOT,
        },
      );
    }
    copy = mkdtempSync(path.join(tmpdir(), 'cello-api-report-'));
    lib = path.join(copy, 'libs/core');
    cpSync(path.join(ROOT, 'api-extractor.base.json'), path.join(copy, 'api-extractor.base.json'));
    for (const entry of ['package.json', 'api-extractor.json', 'api', 'dist']) {
      cpSync(path.join(ROOT, 'libs/core', entry), path.join(lib, entry), {
        recursive: true,
        filter: (source) => !source.endsWith('.js') && !source.endsWith('.map'),
      });
    }
    // The declarations import Nest and Node types from the repository's packages.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  });

  afterAll(() => {
    jest.restoreAllMocks();
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  const config = (): string => path.join(lib, 'api-extractor.json');

  it('passes while the built API matches the committed report', () => {
    const result = script.runExtractor(config(), { local: false, quiet: true });

    expect(result).toMatchObject({ succeeded: true, apiReportChanged: false });
  });

  it('fails when an export is added and the report is not updated', () => {
    appendFileSync(
      path.join(lib, 'dist/index.d.ts'),
      '\nexport declare const addedWithoutReport: number;\n',
    );

    const result = script.runExtractor(config(), { local: false, quiet: true });

    expect(result).toMatchObject({ succeeded: false, apiReportChanged: true });
    expect(readFileSync(path.join(lib, 'api/core.api.md'), 'utf8')).not.toContain(
      'addedWithoutReport',
    );
  });

  it('passes again once the report is updated (api:update)', () => {
    const updated = script.runExtractor(config(), { local: true, quiet: true });
    const checked = script.runExtractor(config(), { local: false, quiet: true });

    expect(updated).toMatchObject({ succeeded: true, apiReportChanged: true });
    expect(readFileSync(path.join(lib, 'api/core.api.md'), 'utf8')).toContain(
      'export const addedWithoutReport: number;',
    );
    expect(checked).toMatchObject({ succeeded: true, apiReportChanged: false });
  });

  it('fails when an export is removed and the report is not updated', () => {
    const report = readFileSync(path.join(lib, 'api/core.api.md'), 'utf8');
    writeFileSync(
      path.join(lib, 'api/core.api.md'),
      report.replace(
        'export const addedWithoutReport: number;',
        'export const removedFromBuild: number;',
      ),
    );

    const result = script.runExtractor(config(), { local: false, quiet: true });

    expect(result).toMatchObject({ succeeded: false, apiReportChanged: true });
  });

  it('names an exported entry point that has no report config', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cello-api-entries-'));
    try {
      mkdirSync(path.join(root, 'libs/widget'), { recursive: true });
      writeFileSync(
        path.join(root, 'libs/widget/package.json'),
        JSON.stringify({
          name: '@cello/widget',
          exports: {
            '.': {},
            './testing': {},
            './internal': {},
            './package.json': './package.json',
          },
        }),
      );
      writeFileSync(path.join(root, 'libs/widget/api-extractor.json'), '{}');

      const { entries, problems } = script.findEntryPoints(root);

      expect(entries.map((entry) => entry.name)).toEqual(['@cello/widget']);
      expect(problems).toEqual([
        '@cello/widget exports "./testing" but libs/widget/api-extractor.testing.json is missing',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('has a report config for every entry point the packages export', () => {
    const { entries, problems } = script.findEntryPoints(ROOT);

    expect(problems).toEqual([]);
    expect(entries.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['@cello/core', '@cello/event-sourcing', '@cello/saga/testing']),
    );
  });
});
