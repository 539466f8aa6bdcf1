// The public API of @cello/core. What the sibling packages share beyond it
// (the native binding, framing, compression, storage and decorator helpers)
// is in ./internal, exported as `@cello/core/internal` for them only.
export * from './errors/cello-error';
export * from './errors/native-error';
export * from './errors/native-binding-unavailable.error';
export * from './errors/frame-corrupt.error';
export * from './errors/missing-peer-dependency.error';
export * from './compression/snapshot-corrupt.error';
export * from './metrics/cello-metrics';
export * from './metrics/cello-metrics-options';
export * from './metrics/cello-metrics.module';
export * from './redaction/redact-secrets';
export * from './redaction/redacting-console-logger';
export * from './modules/async-module-options';
