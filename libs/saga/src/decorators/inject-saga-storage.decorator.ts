import { Inject } from '@nestjs/common';
import { getSagaStorageToken } from '../saga.constants';

/** Injects the module's `SagaStorage` backend (for tools that work below the `SagaRunner`). */
export const InjectSagaStorage = (): ParameterDecorator & PropertyDecorator =>
  Inject(getSagaStorageToken());
