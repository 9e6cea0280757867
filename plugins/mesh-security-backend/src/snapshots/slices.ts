/**
 * For long work on the event loop (building a generation's access graph, compacting its
 * snapshot, preparing its views): a function to await between steps, which yields to the event
 * loop once `sliceMs` have passed since the last yield, so requests wait at most about a slice.
 */
export function yieldEvery(sliceMs: number): () => Promise<void> {
  let sliceStart = Date.now();
  return async () => {
    if (Date.now() - sliceStart > sliceMs) {
      await new Promise(resolve => setImmediate(resolve));
      sliceStart = Date.now();
    }
  };
}

/**
 * Runs synchronous jobs one at a time, each in a turn of the event loop of its own. Jobs queued
 * together — every cluster's next generation, applied when one request sees them all — then
 * leave room for requests between them instead of running as one block, and a request waits for
 * at most one of them.
 */
export class Turns {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(job: () => T): Promise<T> {
    const result = this.last
      .then(() => new Promise(resolve => setImmediate(resolve)))
      .then(job);
    this.last = result.catch(() => undefined);
    return result;
  }
}
