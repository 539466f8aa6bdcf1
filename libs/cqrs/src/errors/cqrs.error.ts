import { CelloError } from '@cello/core';

/** Base class of the CQRS module's errors; check them with `isCelloError(err, code)`. */
export class CqrsError extends CelloError {}
