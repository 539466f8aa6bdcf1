/** Injection token of the resolved SagaModule options. */
export const SAGA_MODULE_OPTIONS = Symbol('cello:saga-module-options');
/** Injection token of the SagaStorage backend. */
export const SAGA_STORAGE = Symbol('cello:saga-storage');
/** Metadata key written by `@Saga(name)`. */
export const SAGA_METADATA = 'cello:saga';
/** Metadata key written by `@SagaStep(...)` (a list on the class). */
export const SAGA_STEPS_METADATA = 'cello:saga-steps';

/** The token of the resolved saga options, for `inject` and `@Inject`. */
export function getSagaOptionsToken(): typeof SAGA_MODULE_OPTIONS {
  return SAGA_MODULE_OPTIONS;
}

/** The token of the `SagaStorage` backend, for `inject` and `@Inject` (or `@InjectSagaStorage()`). */
export function getSagaStorageToken(): typeof SAGA_STORAGE {
  return SAGA_STORAGE;
}
