// Shared by the @cello packages, not a public API: no semver promise, may change
// in any release. Exported as `@cello/core/internal`.
export * from './native/native-binding';
export * from './framing/frames';
export * from './compression/snapshot-compression';
export * from './health/storage-health-check';
export * from './json/find-unstorable-json-value';
export * from './storage/invalid-input-errors';
export * from './decorators/decorator-checks';
export * from './peers/load-optional-peer';
export * from './leases/lease-keeper';
export * from './leases/lease-lost.error';
export * from './storage/is-typeorm-data-source';
export * from './storage/storage-starter';
export * from './storage/share-data-source-initialize';
export * from './positions/position-waiter';
export * from './modules/async-options-providers';
export * from './context/message-context';
export * from './tracing/cello-tracing';
