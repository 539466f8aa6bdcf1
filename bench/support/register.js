// Lets benchmark processes `require` TypeScript without a build step: compiles
// `.ts` files with @swc/core (decorators + metadata, as jest does) and maps the
// `@cello/*` path aliases onto `libs/<name>/src`, as tsconfig and jest do.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const ROOT = path.resolve(__dirname, '..', '..');
const ALIAS = /^@cello\/(core|event-sourcing|cqrs|saga)(\/.*)?$/;

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveCelloAlias(request, ...rest) {
  const match = ALIAS.exec(request);
  if (match) {
    request = path.join(ROOT, 'libs', match[1], 'src', match[2] ?? '');
  }
  return originalResolve.call(this, request, ...rest);
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
