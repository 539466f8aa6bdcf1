/** The seed FAST_CHECK_SEED asks for, or a new random one when it is unset or empty. */
export function resolveFastCheckSeed(value: string | undefined): number;
/** Sets the seed for every fast-check run of this test file; returns it. */
export function configureFastCheckSeed(env?: NodeJS.ProcessEnv): number;
