// Shared by the @cello packages, not a public API: no semver promise, may change
// in any release. Exported as `@cello/core/internal`.
// Named re-exports, not `export *`: in the CommonJS output each name gets a getter
// of its own, which V8 inlines; the one getter `export *` shares between all names
// cost ≈ 18 ns per call on the dispatch and replay hot paths.
export {
  callNative,
  loadNativeBinding,
  native,
  toNativeError,
  type NativeBinding,
} from './native/native-binding';
export { crc32c, decodeFrames, encodeFrames } from './framing/frames';
export { compressSnapshot, decompressSnapshot } from './compression/snapshot-compression';
export { DEFAULT_HEALTH_TIMEOUT_MS, checkStorageHealth } from './health/storage-health-check';
export {
  findUnstorableJsonValue,
  formatJsonValuePath,
  toStorableText,
  unstorableStringReason,
  type FindUnstorableJsonValueOptions,
  type JsonValuePath,
  type UnstorableJsonValue,
} from './json/find-unstorable-json-value';
export { isMysqlInvalidInput, isPostgresInvalidInput } from './storage/invalid-input-errors';
export {
  describeDecoratorTarget,
  isOptionsObject,
  unknownOptionKeys,
  type DecoratorTarget,
} from './decorators/decorator-checks';
export {
  isOptionalPeerInstalled,
  loadOptionalPeer,
  type PeerRequire,
} from './peers/load-optional-peer';
export { LeaseKeeper, type LeaseKeeperOptions } from './leases/lease-keeper';
export { LeaseLostError } from './leases/lease-lost.error';
export { isTypeOrmDataSource, type DataSourceLike } from './storage/is-typeorm-data-source';
export {
  STORAGE_RETRY_INTERVAL_MS,
  StorageStarter,
  type StorageStarterOptions,
} from './storage/storage-starter';
export { shareDataSourceInitialize } from './storage/share-data-source-initialize';
export {
  POSITION_WAITER,
  type PositionWaitOptions,
  type PositionWaiter,
} from './positions/position-waiter';
export { createAsyncOptionsProviders } from './modules/async-options-providers';
export {
  CommandMessageContext,
  ambientEventMetadata,
  correlationIdOfRequest,
  currentMessageContext,
  enableMessageContext,
  messageContextSwitch,
  runInMessageContext,
  type MessageContext,
} from './context/message-context';
export {
  CELLO_TRACER_NAME,
  celloTracer,
  refreshCelloTracer,
  traceSpan,
  traced,
  withTraceContext,
  type CelloSpanAttributes,
  type CelloSpanOptions,
} from './tracing/cello-tracing';
