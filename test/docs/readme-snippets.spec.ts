// Every TypeScript block of README.md, native/README.md and libs/*/README.md compiles under
// the repository's strict tsconfig (the convention: test/docs/readme-snippet-extractor.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkDocSnippets } from './readme-snippet-checker';
import { type DocSnippet, extractDocSnippets } from './readme-snippet-extractor';

const repoRoot = path.resolve(__dirname, '../..');

/** The READMEs that exist when the test runs, relative to the repository root. */
function readmes(): string[] {
  const libs = readdirSync(path.join(repoRoot, 'libs'))
    .map((lib) => path.join('libs', lib, 'README.md'))
    .sort();
  return ['README.md', path.join('native', 'README.md'), ...libs].filter((file) =>
    existsSync(path.join(repoRoot, file)),
  );
}

const snippets: DocSnippet[] = readmes().flatMap((file) =>
  extractDocSnippets(file, readFileSync(path.join(repoRoot, file), 'utf8'), path.dirname(file)),
);

describe('the TypeScript blocks of the READMEs', () => {
  let errors: ReturnType<typeof checkDocSnippets>;

  beforeAll(() => {
    errors = checkDocSnippets(repoRoot, snippets);
  }, 300_000);

  it('finds the blocks of the root README and of each library README', () => {
    expect(snippets.filter((s) => s.file === 'README.md').length).toBeGreaterThanOrEqual(5);
    expect(new Set(snippets.map((s) => s.file)).size).toBeGreaterThanOrEqual(2);
  });

  it.each(snippets.map((snippet, index) => [`${snippet.file}:${snippet.line}`, index] as const))(
    'the block at %s compiles',
    (_where, index) => {
      const found = errors[index]!.map(
        (e) =>
          `${e.file}:${e.line || `${snippets[index]!.line} (in hidden doc-test code)`}: ${e.message}`,
      );
      expect(found).toEqual([]);
    },
  );
});
