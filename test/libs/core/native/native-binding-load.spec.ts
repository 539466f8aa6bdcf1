import { isCelloError, NativeBindingUnavailableError } from '@cello/core';
import { loadNativeBinding, type NativeBinding } from '@cello/core/native/native-binding';
import { nativePlatform } from '@cello/core/native/native-platform';

describe('loading the native binding', () => {
  describe('when no binary for this platform can be loaded', () => {
    it('should throw native-binding-unavailable naming the platform and how to build from source', () => {
      // Given napi-rs's loader failing as it does when no platform package was installed
      const napiFailure = new Error(
        'Cannot find native binding. npm has a bug related to optional dependencies ' +
          '(https://github.com/npm/cli/issues/4828).',
      );

      // When the binding is loaded
      let error: unknown;
      try {
        loadNativeBinding(() => {
          throw napiFailure;
        });
      } catch (caught) {
        error = caught;
      }

      // Then the error is typed, names the platform and says how to get a binding
      expect(error).toBeInstanceOf(NativeBindingUnavailableError);
      expect(isCelloError(error, 'native-binding-unavailable')).toBe(true);
      const unavailable = error as NativeBindingUnavailableError;
      expect(unavailable.platform).toBe(nativePlatform());
      expect(unavailable.message).toContain(`could not be loaded on ${nativePlatform()}`);
      expect(unavailable.message).toContain('Cannot find native binding');
      expect(unavailable.message).toContain('linux-x64-gnu');
      expect(unavailable.message).toContain('npm run build:native');
      expect(unavailable.message).toContain('Building from source');
      expect(unavailable.cause).toBe(napiFailure);
    });
  });

  describe('when the binary loads', () => {
    it('should return the binding', () => {
      // When the binding is loaded the default way
      const binding: NativeBinding = loadNativeBinding();

      // Then it answers
      expect(binding.crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    });
  });

  it('should name this machine in napi-rs terms', () => {
    expect(nativePlatform()).toMatch(
      new RegExp(`^${process.platform}-${process.arch}(-gnu|-musl)?$`),
    );
    if (process.platform === 'linux' && process.arch === 'x64') {
      // This machine (Debian, glibc) is the one prebuilt platform
      expect(nativePlatform()).toBe('linux-x64-gnu');
    }
  });
});
