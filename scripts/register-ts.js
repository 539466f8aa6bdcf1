// Lets a Node process `require` the repository's TypeScript without a build step
// (`node -r ./scripts/register-ts.js file.ts`): child processes of the crash and
// instance tests, benchmarks and measurement scripts. Compiles `.ts` files with
// @swc/core (decorators + metadata, as jest does) and maps the `@cello/*` path
// aliases onto `libs/<name>/src`, as tsconfig and jest do.
'use strict';

const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync, version: swcVersion } = require('@swc/core');

const ROOT = path.resolve(__dirname, '..');
const ALIAS = /^@cello\/(core|event-sourcing|cqrs|saga|devtools|relay)(\/.*)?$/;
// Every child process compiles again: compiled output is cached on disk (keyed
// by path, size, mtime and the compiler's version) so start-up stays short.
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'cello-swc');
const SWC_OPTIONS = {
  sourceMaps: 'inline',
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};

function compile(filename) {
  const stat = fs.statSync(filename);
  const key = createHash('sha1')
    .update(`${swcVersion}\0${filename}\0${stat.size}\0${stat.mtimeMs}`)
    .digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...SWC_OPTIONS, filename });
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const temporary = `${cached}.${process.pid}`;
      fs.writeFileSync(temporary, code);
      fs.renameSync(temporary, cached);
    } catch {
      // A read-only tree only loses the cache.
    }
    return code;
  }
}

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveCelloAlias(request, ...rest) {
  const match = ALIAS.exec(request);
  if (match) {
    request = path.join(ROOT, 'libs', match[1], 'src', match[2] ?? '');
  }
  return originalResolve.call(this, request, ...rest);
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  module._compile(compile(filename), filename);
};
