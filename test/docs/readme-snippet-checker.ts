// Type-checks doc snippets with the TypeScript compiler API under the repository's tsconfig
// (strict; `paths` map @cello/* to libs/*/src), as in-memory files placed in the repository so
// that node_modules and relative imports resolve as they would for a file written there.
import * as path from 'node:path';
import * as ts from 'typescript';
import type { DocSnippet } from './readme-snippet-extractor';

/** One compiler error, located in the Markdown file. */
export interface DocSnippetError {
  readonly file: string;
  /** 1-based line in the Markdown file; 0 when the error is in hidden doc-test code (prelude, shared, after). */
  readonly line: number;
  readonly message: string;
}

/** The errors of each snippet, in the order given. */
export function checkDocSnippets(
  repoRoot: string,
  snippets: readonly DocSnippet[],
): DocSnippetError[][] {
  const configPath = path.join(repoRoot, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  if (config.error)
    throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(
    config.config,
    ts.sys,
    repoRoot,
    undefined,
    configPath,
  );
  // Checked as an app's ES module (top-level await allowed, extensionless relative imports as
  // a bundler or Nest's CLI resolves them); everything else, `strict` included, is the repo's.
  const options: ts.CompilerOptions = {
    ...parsed.options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
    sourceMap: false,
  };

  const virtual = new Map<string, DocSnippet>();
  snippets.forEach((snippet, index) => {
    const base = path.basename(snippet.file, '.md').toLowerCase();
    const name = `__doc_snippet_${base}_${index}_line_${snippet.line}.ts`;
    virtual.set(path.join(repoRoot, snippet.dir, name), snippet);
  });

  const host = ts.createCompilerHost(options, true);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (file) => virtual.has(path.resolve(file)) || fileExists(file);
  host.readFile = (file) => virtual.get(path.resolve(file))?.code ?? readFile(file);
  host.getSourceFile = (file, languageVersion, onError, shouldCreate) => {
    const snippet = virtual.get(path.resolve(file));
    if (snippet) return ts.createSourceFile(file, snippet.code, languageVersion, true);
    return getSourceFile(file, languageVersion, onError, shouldCreate);
  };

  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  return [...virtual.entries()].map(([fileName, snippet]) => {
    const source = program.getSourceFile(fileName)!;
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    return diagnostics.map((diagnostic) => {
      const codeLine =
        diagnostic.start === undefined
          ? 0
          : source.getLineAndCharacterOfPosition(diagnostic.start).line;
      return {
        file: snippet.file,
        line: snippet.sourceLines[codeLine] ?? 0,
        message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
      };
    });
  });
}
