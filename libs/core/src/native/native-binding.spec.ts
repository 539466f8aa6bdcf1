import { isCelloError } from '../errors/cello-error';
import { NativeError } from '../errors/native-error';
import { callNative, native, toNativeError } from './native-binding';

describe('the native binding', () => {
  describe('when the Rust core panics', () => {
    it('should throw a NativeError coded native-panic, and the process should go on', () => {
      // When a panic happens inside an entry point (a panic that crossed
      // napi would abort this jest worker with exit 134)
      let error: unknown;
      try {
        callNative(() => native.nativePanicProbe('index out of bounds: the len is 2'));
      } catch (caught) {
        error = caught;
      }

      // Then it arrives as a coded error naming the entry point and the panic
      expect(error).toBeInstanceOf(NativeError);
      expect(isCelloError(error, 'native-panic')).toBe(true);
      expect((error as Error).message).toMatch(
        /nativePanicProbe failed inside the native core: index out of bounds/,
      );
      // ... and the binding still answers
      expect(callNative(() => native.crc32c(Buffer.from('123456789')))).toBe(0xe3069283);
    });
  });

  describe('when an error carries a code', () => {
    it('should map "[code] message" to that code, and anything else to native-failure', () => {
      expect(toNativeError(new Error('[frame-corrupt] bad frame at 8'))).toMatchObject({
        code: 'frame-corrupt',
        message: 'bad frame at 8',
      });
      expect(toNativeError(new Error('plain'))).toMatchObject({ code: 'native-failure' });
    });
  });
});
