/** Options of `EventStore.load`. */
export interface LoadOptions {
  /**
   * Rebuild the aggregate as it was at this stream version (a whole number >= 1):
   * no snapshot newer than it is used and replay stops there. Default: the
   * current version. A version past the stream's end gives the current state.
   */
  toVersion?: number;
}
