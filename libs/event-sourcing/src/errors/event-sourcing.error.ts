import { CelloError } from '@cello/core';

/** Base class of the event-sourcing module's errors. */
export class EventSourcingError extends CelloError {}
