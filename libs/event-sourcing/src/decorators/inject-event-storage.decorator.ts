import { Inject } from '@nestjs/common';
import { getEventStorageToken } from '../event-sourcing.constants';

/** Injects the module's `EventStorage` backend (for tools that work below the `EventStore`). */
export const InjectEventStorage = (): ParameterDecorator & PropertyDecorator =>
  Inject(getEventStorageToken());
