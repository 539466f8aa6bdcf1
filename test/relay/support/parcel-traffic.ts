import type { startAppender } from './event-appender';

/** Scans appended in the background while a test breaks things. */
export interface ParcelTraffic {
  /** Events appended so far. */
  appended(): number;
  /** Stops appending; resolves to the total appended. */
  stop(): Promise<number>;
}

/**
 * Appends one scan of each parcel per round (n = 1, 2, ...), a round every
 * `pauseMs`, so that the relay always has fresh events to publish while the
 * test kills or restarts things.
 */
export function startParcelTraffic(
  appender: Awaited<ReturnType<typeof startAppender>>,
  parcels: string[],
  pauseMs = 15,
): ParcelTraffic {
  let stopped = false;
  let rounds = 0;
  const running = (async () => {
    while (!stopped) {
      rounds++;
      await appender.scan(parcels, rounds, rounds);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return {
    appended: () => rounds * parcels.length,
    stop: async () => {
      stopped = true;
      await running;
      return rounds * parcels.length;
    },
  };
}
