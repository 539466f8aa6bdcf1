// Lets these scripts `require` the TypeScript libraries without a build step:
// compiles `.ts` with @swc/core and maps `@cello/*` onto `libs/<name>/src`.
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
  if (match) request = path.join(ROOT, 'libs', match[1], 'src', match[2] ?? '');
  return originalResolve.call(this, request, ...rest);
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
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
