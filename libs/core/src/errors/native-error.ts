import { CelloError } from './cello-error';

/**
 * An error raised by the Rust core. Its `code` comes from the core
 * (`[code] message` on the wire) so each library can map it to its own class.
 */
export class NativeError extends CelloError {}
