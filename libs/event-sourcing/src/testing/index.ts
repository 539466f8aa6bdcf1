export * from './aggregate-assertion.error';
export * from './aggregate-scenario';
export * from './event-storage-contract';
