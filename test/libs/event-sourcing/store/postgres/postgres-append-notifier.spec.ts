import { waitUntil } from '../../../../support/eventually';
import { PostgresAppendNotifier } from '@cello/event-sourcing/store/postgres/postgres-append-notifier';

/** A `send` whose calls are counted and finish only when told to. */
function controlledSend() {
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let calls = 0;
  const send = () =>
    new Promise<void>((resolve, reject) => {
      calls += 1;
      pending.push({ resolve, reject });
    });
  return {
    send,
    get calls() {
      return calls;
    },
    finishNext: () => pending.shift()!.resolve(),
    failNext: () => pending.shift()!.reject(new Error('connection refused')),
  };
}

describe('PostgresAppendNotifier', () => {
  describe('when an append commits after a quiet spell', () => {
    it('should notify at once', () => {
      // Given
      const sender = controlledSend();
      const notifier = new PostgresAppendNotifier(sender.send);

      // When
      notifier.notify();

      // Then
      expect(sender.calls).toBe(1);
    });
  });

  describe('when many appends commit while a notification is in flight', () => {
    it('should send exactly one more after it, not one per append', async () => {
      // Given
      const sender = controlledSend();
      const notifier = new PostgresAppendNotifier(sender.send);
      notifier.notify();

      // When
      for (let i = 0; i < 50; i++) notifier.notify();
      sender.finishNext();

      // Then
      await waitUntil('the follow-up notification', () => sender.calls === 2, 2000);
      sender.finishNext();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sender.calls).toBe(2);
      await notifier.close();
    });
  });

  describe('when a notification fails', () => {
    it('should swallow the error and notify again for the next append', async () => {
      // Given
      const sender = controlledSend();
      const notifier = new PostgresAppendNotifier(sender.send);
      notifier.notify();
      sender.failNext();

      // When
      await new Promise((resolve) => setTimeout(resolve, 30));
      notifier.notify();

      // Then
      expect(sender.calls).toBe(2);
      sender.finishNext();
      await notifier.close();
    });
  });

  describe('when closed', () => {
    it('should wait for the notification in flight and send nothing more', async () => {
      // Given
      const sender = controlledSend();
      const notifier = new PostgresAppendNotifier(sender.send);
      notifier.notify();
      notifier.notify();

      // When
      let closed = false;
      const closing = notifier.close().then(() => (closed = true));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(closed).toBe(false);
      sender.finishNext();
      await closing;
      notifier.notify();
      await new Promise((resolve) => setTimeout(resolve, 30));

      // Then
      expect(closed).toBe(true);
      expect(sender.calls).toBe(1);
    });
  });
});
