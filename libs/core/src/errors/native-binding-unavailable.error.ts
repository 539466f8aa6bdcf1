import { CelloError } from './cello-error';

/**
 * `@cello/native` could not be loaded: no prebuilt binary for this platform was
 * installed, or the binary does not run here. The message says how to get one.
 */
export class NativeBindingUnavailableError extends CelloError {
  static readonly code = 'native-binding-unavailable';

  constructor(
    /** The platform the binding was looked for, e.g. `linux-x64-gnu` or `darwin-arm64`. */
    readonly platform: string,
    options?: { cause?: unknown },
  ) {
    const reason = (options?.cause as { message?: unknown } | undefined)?.message;
    super(
      NativeBindingUnavailableError.code,
      `Cello's native binding (@cello/native) could not be loaded on ${platform}` +
        (typeof reason === 'string' ? ` (${reason.split('\n')[0]})` : '') +
        '. Prebuilt binaries exist for linux-x64-gnu only (@cello/native-linux-x64-gnu, which npm installs ' +
        'as an optional dependency of @cello/native: do not install with --omit=optional). On ' +
        `${platform}, build the binding from source with Rust (https://rustup.rs): clone ` +
        'https://github.com/cello-nestjs/cello, run `npm install` (or `npm run build:native`) and see ' +
        "native/README.md, 'Building from source'.",
      options,
    );
  }
}
