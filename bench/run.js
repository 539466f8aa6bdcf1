#!/usr/bin/env node
// Placeholder entry until the benchmark suite lands (issue 8): says so instead of pretending.
'use strict';
console.error('cello: the benchmark suite is not written yet (see bench/README.md).');
process.exit(1);
