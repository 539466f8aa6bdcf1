export * from './errors/cello-error';
export * from './errors/native-error';
export * from './errors/frame-corrupt.error';
export * from './native/native-binding';
export * from './framing/frames';
export * from './compression/snapshot-compression';
export * from './compression/snapshot-corrupt.error';
