import type { LoggerService } from '@nestjs/common';

/** The `onAppended` listeners of the in-memory storage, woken once per turn of the event loop. */
export class MemoryAppendListeners {
  private readonly listeners = new Set<() => void>();
  private wakeUp: NodeJS.Immediate | undefined;

  constructor(private readonly logger: LoggerService) {}

  /** Adds `listener`; returns the function that removes it. */
  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One wake-up per turn of the event loop, however many appends it saw. */
  schedule(): void {
    if (this.wakeUp !== undefined || this.listeners.size === 0) return;
    this.wakeUp = setImmediate(() => {
      this.wakeUp = undefined;
      for (const listener of [...this.listeners]) {
        try {
          listener();
        } catch (error) {
          this.logger.error(`An onAppended listener threw: ${String(error)}`);
        }
      }
    });
  }

  /** Drops every listener and a wake-up not yet run (the storage closes). */
  clear(): void {
    if (this.wakeUp !== undefined) clearImmediate(this.wakeUp);
    this.wakeUp = undefined;
    this.listeners.clear();
  }
}
