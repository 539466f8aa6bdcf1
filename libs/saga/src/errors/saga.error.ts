import { CelloError } from '@cello/core';

/** Base class of every error the saga library throws; check `code` with `isCelloError`. */
export class SagaError extends CelloError {}
