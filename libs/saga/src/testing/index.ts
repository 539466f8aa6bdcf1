export * from './saga-test-kit';
export * from './saga-storage-contract';
