import { Inject } from '@nestjs/common';
import { EVENT_STORAGE } from '../event-sourcing.constants';

/** Injects the module's `EventStorage` backend (for tools that work below the `EventStore`). */
export const InjectEventStorage = (): ParameterDecorator & PropertyDecorator =>
  Inject(EVENT_STORAGE);
