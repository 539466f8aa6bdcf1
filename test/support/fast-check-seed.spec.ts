import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { resolveFastCheckSeed } from './fast-check-seed';

/**
 * Runs fast-check in a fresh Node process set up as jest sets up a test file
 * (the setupFiles module reading FAST_CHECK_SEED), and returns what a failing
 * property reported and the values a run drew.
 */
function runInFreshProcess(seed: string | undefined): {
  seed: number;
  counterexample: unknown;
  path: string;
  drawn: unknown;
} {
  const setup = join(__dirname, 'fast-check-seed.js');
  const script = `
    require(${JSON.stringify(setup)});
    const fc = require('fast-check');
    const details = fc.check(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 })), (xs) => xs.every((x) => x < 900)),
    );
    const drawn = fc.sample(fc.string(), 5);
    console.log(JSON.stringify({
      seed: details.seed, counterexample: details.counterexample, path: details.counterexamplePath, drawn,
    }));
  `;
  const env = { ...process.env };
  if (seed === undefined) delete env.FAST_CHECK_SEED;
  else env.FAST_CHECK_SEED = seed;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }));
}

describe('fast-check seeds in the test run', () => {
  describe('when FAST_CHECK_SEED names a seed', () => {
    it('should replay the same run: same values drawn, same counterexample, same path', () => {
      // When
      const first = runInFreshProcess('-1276345103');
      const replay = runInFreshProcess('-1276345103');

      // Then
      expect(first.seed).toBe(-1276345103);
      expect(first.counterexample).not.toBeNull();
      expect(replay).toEqual(first);
    });

    it('should draw other values with another seed', () => {
      expect(runInFreshProcess('7').drawn).not.toEqual(runInFreshProcess('8').drawn);
    });
  });

  describe('when FAST_CHECK_SEED is unset', () => {
    it('should pick a random seed per run', () => {
      const seeds = [runInFreshProcess(undefined).seed, runInFreshProcess(undefined).seed];
      for (const seed of seeds) expect(Number.isInteger(seed)).toBe(true);
      expect(seeds[0]).not.toBe(seeds[1]);
    });
  });

  describe('when a property fails in a test file', () => {
    it("should report this file's seed and the counterexample's path, to replay it", () => {
      // Given
      const seed = fc.readConfigureGlobal().seed;
      if (process.env.FAST_CHECK_SEED) expect(seed).toBe(Number(process.env.FAST_CHECK_SEED));

      // When
      let report = '';
      try {
        fc.assert(fc.property(fc.integer(), (x) => x < 100));
      } catch (error) {
        report = (error as Error).message;
      }

      // Then
      expect(typeof seed).toBe('number');
      expect(report).toContain(`seed: ${seed}, path: "`);
    });
  });

  describe.each([
    ['text', 'abc'],
    ['a fraction', '1.5'],
    ['a number past 32 bits', '99999999999'],
  ])('when FAST_CHECK_SEED is %s', (_label, value) => {
    it('should refuse it, saying what to give', () => {
      expect(() => resolveFastCheckSeed(value)).toThrow(/FAST_CHECK_SEED is .*integer seed/);
    });
  });
});
