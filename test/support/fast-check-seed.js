// Runs in every test file before its tests (jest `setupFiles`): gives fast-check
// one seed for the file, from FAST_CHECK_SEED when set, else a fresh random one.
// A failing property's report names that seed (and the path of the shrunk
// counterexample), so the run can be replayed with
//   FAST_CHECK_SEED=<seed> npx jest <file>
'use strict';

const fc = require('fast-check');

/** The seed FAST_CHECK_SEED asks for, or a new random one when it is unset or empty. */
function resolveFastCheckSeed(value) {
  if (value === undefined || value.trim() === '') {
    // The same formula fast-check uses when it picks a seed itself.
    return Date.now() ^ (Math.random() * 0x100000000);
  }
  const seed = Number(value);
  // fast-check takes any number but reduces it to a 32-bit integer: refuse what would not replay as written.
  if (!Number.isSafeInteger(seed) || seed < -0x80000000 || seed > 0xffffffff) {
    throw new Error(
      `FAST_CHECK_SEED is ${JSON.stringify(value)}; give the integer seed a failing ` +
        'property printed (e.g. FAST_CHECK_SEED=-1276345103), or unset it for a random one.',
    );
  }
  return seed;
}

/** Sets the seed for every fast-check run of this test file; returns it. */
function configureFastCheckSeed(env = process.env) {
  const seed = resolveFastCheckSeed(env.FAST_CHECK_SEED);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
  return seed;
}

module.exports = { resolveFastCheckSeed, configureFastCheckSeed };

configureFastCheckSeed();
