/** Retries `probe` every 100 ms until it resolves, for at most `withinMs`; then rethrows its last error. */
export async function eventually<T>(probe: () => Promise<T>, withinMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() - started > withinMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
