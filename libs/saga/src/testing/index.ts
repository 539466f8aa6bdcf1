export * from './saga-test-kit';
