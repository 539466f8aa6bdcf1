import { CelloError } from '@cello/core';

/** Base class of the relay package's errors. */
export class RelayError extends CelloError {}
