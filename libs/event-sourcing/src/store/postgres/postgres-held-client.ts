import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';

/**
 * One pool client kept checked out between statements, for appends that
 * follow one another: each statement skips the pool's checkout and release.
 * It counts in the pool's size; it goes back to the pool once no append
 * follows in the same turn of the event loop (the next append of a sequential
 * caller arrives in the previous one's continuation), when someone waits for a
 * connection (so a small pool never starves), on close, and destroyed after
 * any error (the next statement checks out a fresh one). A statement
 * arriving while the held client is busy runs on the pool as before.
 */
export class PostgresHeldClient {
  private client: PoolClient | undefined;
  private busy = false;
  private releaseScheduled = false;
  /** Drops the held client on a connection error while it is checked out (the pool's listener is off). */
  private readonly onError = (error: Error): void => {
    if (this.client !== undefined) this.drop(this.client, error);
  };

  /** Runs `config` on the held client, or on the pool when the held one is busy. */
  async query<R extends QueryResultRow>(pool: Pool, config: QueryConfig): Promise<QueryResult<R>> {
    if (this.busy) return pool.query<R>(config);
    this.busy = true;
    try {
      const client = this.client ?? (await this.checkOut(pool));
      try {
        return await client.query<R>(config);
      } catch (error) {
        this.drop(client, error);
        throw error;
      } finally {
        // Someone waits for a connection: the held one is theirs.
        if (this.client === client && pool.waitingCount > 0) this.drop(client);
      }
    } finally {
      this.busy = false;
      this.scheduleRelease();
    }
  }

  /** Releases the client after this turn unless a statement is then running on it. */
  private scheduleRelease(): void {
    if (this.releaseScheduled || this.client === undefined) return;
    this.releaseScheduled = true;
    setImmediate(() => {
      this.releaseScheduled = false;
      // A running statement schedules this again when it ends.
      if (!this.busy) this.release();
    });
  }

  /** Gives the held client back to the pool (when closing). */
  release(): void {
    if (this.client !== undefined) this.drop(this.client);
  }

  private async checkOut(pool: Pool): Promise<PoolClient> {
    const client = await pool.connect();
    client.on('error', this.onError);
    this.client = client;
    return client;
  }

  /** Releases `client`; with an error, the pool destroys it. */
  private drop(client: PoolClient, error?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    // The pool puts its own listener back on release.
    client.removeListener('error', this.onError);
    client.release(error === undefined ? undefined : error instanceof Error ? error : true);
  }
}
