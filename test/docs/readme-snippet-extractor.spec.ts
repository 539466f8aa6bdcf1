import { DocTestDirectiveError, extractDocSnippets } from './readme-snippet-extractor';

const md = (...lines: string[]) => lines.join('\n');

describe('extractDocSnippets', () => {
  it('makes each ts/typescript block a module of its own, with its Markdown line numbers', () => {
    const snippets = extractDocSnippets(
      'README.md',
      md(
        '# T',
        '```ts',
        'const a = 1;',
        '```',
        '```bash',
        'npm i',
        '```',
        '```typescript',
        'const b = 2;',
        '```',
      ),
      '.',
    );
    expect(snippets.map((s) => [s.line, s.code])).toEqual([
      [3, 'const a = 1;\nexport {};\n'],
      [9, 'const b = 2;\nexport {};\n'],
    ]);
    expect(snippets[0]!.sourceLines).toEqual([3]);
  });

  it('puts a prelude, a shared prelude and an after-block as hidden lines around the block', () => {
    const [snippet] = extractDocSnippets(
      'README.md',
      md(
        '<!-- doc-test: shared',
        'declare const bus: unknown;',
        '-->',
        'Prose.',
        '<!-- doc-test: prelude',
        'const list = [',
        '-->',
        '```ts',
        '  bus,',
        '```',
        '<!-- doc-test: after',
        '];',
        '-->',
      ),
      '.',
    );
    expect(snippet!.code).toBe(
      'declare const bus: unknown;\nconst list = [\n  bus,\n];\nexport {};\n',
    );
    expect(snippet!.sourceLines).toEqual([0, 0, 9, 0]);
  });

  it('joins a block marked "continue" to the previous one, and places a block "at" a folder', () => {
    const snippets = extractDocSnippets(
      'libs/x/README.md',
      md(
        '<!-- doc-test: at apps/demo/src -->',
        '```ts',
        'const a = 1;',
        '```',
        'Then:',
        '<!-- doc-test: continue -->',
        '```ts',
        'const b = a;',
        '```',
      ),
      'libs/x',
    );
    expect(snippets).toHaveLength(1);
    expect(snippets[0]!.dir).toBe('apps/demo/src');
    expect(snippets[0]!.code).toBe('const a = 1;\nconst b = a;\nexport {};\n');
    expect(snippets[0]!.sourceLines).toEqual([3, 8]);
  });

  it('refuses an unknown directive, a directive away from its block, and an unclosed comment', () => {
    expect(() =>
      extractDocSnippets('R.md', md('<!-- doc-test: skip -->', '```ts', 'x', '```'), '.'),
    ).toThrow(DocTestDirectiveError);
    expect(() =>
      extractDocSnippets('R.md', md('<!-- doc-test: skip -->', '```ts', 'x', '```'), '.'),
    ).toThrow(/R\.md:1: unknown doc-test directive "skip"/);
    expect(() =>
      extractDocSnippets(
        'R.md',
        md('<!-- doc-test: continue -->', 'Prose.', '```ts', 'x', '```'),
        '.',
      ),
    ).toThrow(/R\.md:2: a doc-test comment must come right before/);
    expect(() => extractDocSnippets('R.md', md('<!-- doc-test: prelude', 'x'), '.')).toThrow(
      /not closed/,
    );
    expect(() =>
      extractDocSnippets('R.md', md('Prose', '<!-- doc-test: after', 'x', '-->'), '.'),
    ).toThrow(/"after" must follow/);
  });
});
