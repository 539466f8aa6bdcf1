/** Injection token of the saga classes listed in `forRoot({ sagas })`. */
export const SAGA_CLASSES = Symbol('cello:saga-classes');
