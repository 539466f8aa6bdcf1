import { isCelloError } from '@cello/core/errors/cello-error';
import { NativeError } from '@cello/core/errors/native-error';
import { callNative, native, toNativeError } from '@cello/core/native/native-binding';

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

  describe('when a record of the memory event log was damaged through its chunk Buffer', () => {
    /** One event as an append batch block (native/crates/core/src/event_log/record.rs). */
    function block(id: string, data: string): Buffer {
      const fields = [id, 'Tested', data, '{}'].map((text) => Buffer.from(text));
      const header = Buffer.alloc(20);
      header.writeUInt32LE(1, 0);
      fields.forEach((field, i) => header.writeUInt32LE(field.length, 4 + 4 * i));
      return Buffer.concat([header, ...fields]);
    }

    it('should refuse to read it with event-log-corrupt, and the process should go on', () => {
      // Given a stored event whose record length was overwritten by JavaScript
      const log = new native.NativeEventLog();
      const out = new Float64Array(4);
      expect(log.append('s', -1, 0, block('id-1', '{"n":1}'), out)).toBe(0);
      const locations = new Uint32Array(2);
      expect(log.readStream('s', 1, locations)).toBe(1);
      const chunk = log.chunk(locations[0]);
      chunk.writeUInt32LE(0xffffffff, locations[1]);

      // When its payload is read
      let error: unknown;
      try {
        callNative(() => log.replayPage('s', 1, new Uint32Array(1 + 5), new Float64Array(1)));
      } catch (caught) {
        error = caught;
      }

      // Then (a panic here used to abort the process)
      expect(isCelloError(error, 'event-log-corrupt')).toBe(true);
      expect((error as Error).message).toMatch(/runs past its chunk/);
      expect(log.streamVersion('s')).toBe(1);
      log.dispose();
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
