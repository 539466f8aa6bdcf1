// Finds the TypeScript blocks of a Markdown file and turns them into modules to type-check.
//
// The convention (documented in README.md, "Docs are tested"): every ```ts / ```typescript
// block is a module of its own, type-checked under the repository's tsconfig. HTML comments
// placed right before a block (blank lines allowed between) adjust it, invisibly to readers:
//   <!-- doc-test: prelude
//   import { Module } from '@nestjs/common';
//   -->                         hidden code placed before the block (imports, declarations the
//                               prose already showed); it never replaces the block's own code
//   <!-- doc-test: shared
//   import { CommandBus } from '@cello/cqrs';
//   declare const commandBus: CommandBus;
//   -->                         anywhere outside a block: a prelude of every later block of the file
//                               (the names a README's examples all assume)
//   <!-- doc-test: after
//   ];
//   -->                         right after a block: hidden code placed after it (closes what a
//                               prelude opened, so a fragment such as an `imports` entry compiles)
//   <!-- doc-test: continue --> the block continues the previous block of the same file: both
//                               are checked as one module
//   <!-- doc-test: at apps/demo/src -->
//                               check the block as a file of that folder, so the relative
//                               imports it shows (`./orders/orders.module`) resolve; lines
//                               after the folder are a prelude
// There is no way to skip a block: what a README shows must compile.

/** One hidden adjustment written before a block. */
interface Directive {
  readonly kind: 'prelude' | 'after' | 'continue' | 'at';
  readonly text: string;
}

/** A module built from one or more consecutive blocks of a Markdown file. */
export interface DocSnippet {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the block's first code line in the Markdown file. */
  readonly line: number;
  /** The folder (relative to the repository root) the module is checked in. */
  readonly dir: string;
  /** The module's source. */
  readonly code: string;
  /** Maps a 0-based line of `code` to its 1-based line in the Markdown file (0 for hidden lines). */
  readonly sourceLines: readonly number[];
}

/** Thrown when a doc-test comment is malformed, so a typo does not silently change a check. */
export class DocTestDirectiveError extends Error {
  constructor(file: string, line: number, reason: string) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'DocTestDirectiveError';
  }
}

const FENCE_OPEN = /^\s*```(ts|typescript)\s*$/;
const FENCE_ANY = /^\s*```/;
const DIRECTIVE = /^\s*<!--\s*doc-test:\s*(\w+)\s*(.*)$/;

/** The TypeScript blocks of `markdown` (the content of `file`, relative to the repo root). */
export function extractDocSnippets(
  file: string,
  markdown: string,
  defaultDir: string,
): DocSnippet[] {
  const lines = markdown.split('\n');
  const snippets: {
    file: string;
    line: number;
    dir: string;
    code: string[];
    sourceLines: number[];
  }[] = [];
  let pending: Directive[] = [];
  const shared: string[] = [];
  let lastFenceEnd = -1; // 1-based line of the last closing fence of a ts block
  let i = 0;
  while (i < lines.length) {
    const current = lines[i]!;
    const directive = DIRECTIVE.exec(current);
    if (directive) {
      const kind = directive[1]!;
      const startLine = i + 1;
      let rest = directive[2]!;
      const body: string[] = [];
      while (!rest.includes('-->')) {
        if (rest.trim() !== '') body.push(rest);
        i += 1;
        if (i >= lines.length)
          throw new DocTestDirectiveError(file, startLine, 'doc-test comment is not closed');
        rest = lines[i]!;
      }
      const last = rest.slice(0, rest.indexOf('-->'));
      if (last.trim() !== '') body.push(last);
      i += 1;
      if (kind === 'after') {
        const target = snippets.at(-1);
        if (!target || lastFenceEnd !== startLine - 1) {
          throw new DocTestDirectiveError(
            file,
            startLine,
            '"after" must follow a ```ts block directly',
          );
        }
        target.code.push(...body);
        target.sourceLines.push(...body.map(() => 0));
        continue;
      }
      if (kind === 'shared') {
        shared.push(...body);
        continue;
      }
      if (kind !== 'prelude' && kind !== 'continue' && kind !== 'at') {
        throw new DocTestDirectiveError(
          file,
          startLine,
          `unknown doc-test directive "${kind}" (prelude, shared, after, continue, at)`,
        );
      }
      if (kind === 'at') {
        // `at <folder>` may carry a prelude on its following lines.
        pending.push({ kind, text: (body[0] ?? '').trim() });
        if (body.length > 1) pending.push({ kind: 'prelude', text: body.slice(1).join('\n') });
      } else {
        pending.push({ kind, text: body.join('\n') });
      }
      continue;
    }
    if (FENCE_OPEN.test(current)) {
      const start = i + 1;
      const indent = /^\s*/.exec(current)![0].length;
      const code: string[] = [];
      i += 1;
      while (i < lines.length && !FENCE_ANY.test(lines[i]!)) {
        code.push(lines[i]!.slice(Math.min(indent, /^\s*/.exec(lines[i]!)![0].length)));
        i += 1;
      }
      if (i >= lines.length)
        throw new DocTestDirectiveError(file, start, 'code block is not closed');
      i += 1;
      lastFenceEnd = i;
      const continues = pending.some((d) => d.kind === 'continue');
      const at = pending.find((d) => d.kind === 'at')?.text;
      const preludes = pending.filter((d) => d.kind === 'prelude').map((d) => d.text.split('\n'));
      pending = [];
      let target = snippets.at(-1);
      if (continues) {
        if (!target)
          throw new DocTestDirectiveError(file, start, '"continue" before the first block');
      } else {
        target = {
          file,
          line: start + 1,
          dir: at ?? defaultDir,
          code: [...shared],
          sourceLines: shared.map(() => 0),
        };
        snippets.push(target);
      }
      for (const prelude of preludes) {
        target.code.push(...prelude);
        target.sourceLines.push(...prelude.map(() => 0));
      }
      code.forEach((text, offset) => {
        target.code.push(text);
        target.sourceLines.push(start + 1 + offset);
      });
      continue;
    }
    // Prose between a directive and its block would make the directive apply to the wrong block.
    if (current.trim() !== '' && pending.length > 0) {
      throw new DocTestDirectiveError(
        file,
        i + 1,
        'a doc-test comment must come right before a ```ts block',
      );
    }
    i += 1;
  }
  if (pending.length > 0)
    throw new DocTestDirectiveError(file, lines.length, 'a doc-test comment ends the file');
  return snippets.map((s) => ({
    file: s.file,
    line: s.line,
    dir: s.dir,
    // `export {}` makes a block without imports a module too, so blocks never share globals.
    code: `${s.code.join('\n')}\nexport {};\n`,
    sourceLines: s.sourceLines,
  }));
}
