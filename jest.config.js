// One jest run for unit (*.spec.ts), database (*.int-spec.ts) and app (*.e2e-spec.ts) tests.
// @swc/jest strips types only; `npm run test:types` type-checks with tsc.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  // Built packages (npm run build) are not test sources.
  modulePathIgnorePatterns: [
    '<rootDir>/libs/[^/]+/dist/',
    '<rootDir>/apps/demo/dist/',
    '<rootDir>/apps/notifier/dist/',
  ],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: {
            legacyDecorator: true,
            decoratorMetadata: true,
            useDefineForClassFields: false,
          },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: {
    '^@cello/(core|event-sourcing|cqrs|saga|devtools|relay)$': '<rootDir>/libs/$1/src',
    '^@cello/(core|event-sourcing|cqrs|saga|devtools|relay)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  globalSetup: '<rootDir>/test/support/global-setup.js',
  // One fast-check seed per test file, from FAST_CHECK_SEED to replay a failure.
  setupFiles: ['<rootDir>/test/support/fast-check-seed.js'],
  maxWorkers: 2,
  testTimeout: 30000,
};
