/*
 * Background work on the event loop (a generation's access graph, compacting, preparing views,
 * a delta's apply, reading ahead, history) runs in slices. Every slice of every job waits for
 * the same queue, which lets one slice run per turn of the event loop: a request waits for at
 * most one slice at each of its hops (credentials, the catalog, permissions), however many
 * jobs are under way. When each job yielded to the event loop on its own, the jobs' slices all
 * ran in the same turn, and a hop of a request waited for one slice per job.
 */

const waiting: Array<() => void> = [];
let pumping = false;

function pump(): void {
  const next = waiting.shift();
  if (waiting.length > 0) setImmediate(pump);
  else pumping = false;
  next?.();
}

/**
 * Resolves at a later turn of the event loop, when the slices queued before have run: one per
 * turn, in the order they were asked for.
 */
export function nextSlice(): Promise<void> {
  return new Promise(resolve => {
    waiting.push(resolve);
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  });
}

const RESOLVED = Promise.resolve();

/**
 * For long work on the event loop: a function to await between steps, which waits for the next
 * slice ({@link nextSlice}) once `sliceMs` have passed since the slice began, so requests wait at
 * most about a slice.
 */
export function yieldEvery(sliceMs: number): () => Promise<void> {
  let sliceStart = Date.now();
  const began = () => {
    sliceStart = Date.now();
  };
  // Called after every step (thousands per slice): no promise of its own until a slice ends.
  return () =>
    Date.now() - sliceStart > sliceMs ? nextSlice().then(began) : RESOLVED;
}

/**
 * Runs synchronous jobs one at a time, each in a slice of its own ({@link nextSlice}). Jobs
 * queued together — every cluster's next generation, applied when one request sees them all —
 * then leave room for requests between them instead of running as one block, and a request
 * waits for at most one of them.
 */
export class Turns {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(job: () => T): Promise<T> {
    const result = this.last.then(nextSlice).then(job);
    this.last = result.catch(() => undefined);
    return result;
  }
}
