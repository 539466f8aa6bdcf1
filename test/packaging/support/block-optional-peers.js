// Preload (`node -r`) that makes the optional peers named in CELLO_BLOCKED_PEERS
// unresolvable, as in an app that did not install them, and records every
// attempt to resolve or load one (read back through `globalThis.__celloPeerAttempts`).
'use strict';

const Module = require('node:module');

const BLOCKED = (process.env.CELLO_BLOCKED_PEERS ?? '').split(',').filter(Boolean);
const attempts = { resolved: [], loaded: [] };
globalThis.__celloPeerAttempts = attempts;

// The package itself or a file inside it (`mysql2/promise`).
function blocked(request) {
  return BLOCKED.some((name) => request === name || request.startsWith(`${name}/`));
}

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveUnlessBlocked(request, ...rest) {
  if (blocked(request)) {
    attempts.resolved.push(request);
    // Node's own wording and code for a package that is not installed.
    const error = new Error(`Cannot find module '${request}'`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return originalResolve.call(this, request, ...rest);
};

const originalLoad = Module._load;
Module._load = function loadRecorded(request, ...rest) {
  if (blocked(request)) attempts.loaded.push(request);
  return originalLoad.call(this, request, ...rest);
};
