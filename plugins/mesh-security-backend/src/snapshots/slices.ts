/*
 * Background work on the event loop (a generation's access graph, compacting, preparing views,
 * a delta's apply, reading ahead, history) runs in slices. Every slice of every job waits for
 * the same queue, which lets one slice run per turn of the event loop: a request waits for at
 * most one slice at each of its hops (credentials, the catalog, permissions), however many
 * jobs are under way. When each job yielded to the event loop on its own, the jobs' slices all
 * ran in the same turn, and a hop of a request waited for one slice per job.
 *
 * While one of the plugin's requests is being answered, the queue holds its slices back (for
 * at most {@link REQUEST_HOLD_MS} at a time), so the request's hops do not wait for background
 * work at all; unless a request waits for that work itself ({@link waitedOn}).
 *
 * Slices and holds are timed with the monotonic clock (`performance.now()`): the wall clock
 * stepped back would otherwise hold slices, or let a job run without yielding, until it caught up.
 */

/**
 * The longest a slice is held back while requests are answered: under a steady stream of
 * requests, background work still gets a slice this often (docs/backend.md "Watches").
 */
export const REQUEST_HOLD_MS = 20;

const waiting: Array<() => void> = [];
let pumping = false;
/** The plugin's requests being answered, and the waits of anyone on background work. */
let requests = 0;
let waits = 0;
/** Since when the slice at the head of the queue has been held back. */
let heldSince: number | undefined;
let holdTimer: ReturnType<typeof setTimeout> | undefined;

function schedule(): void {
  if (pumping || waiting.length === 0) return;
  pumping = true;
  setImmediate(pump);
}

function pump(): void {
  pumping = false;
  if (waiting.length === 0 || holding()) return;
  heldSince = undefined;
  const next = waiting.shift()!;
  schedule();
  next();
}

/** Whether the next slice waits for the requests being answered (then a timer ends the wait). */
function holding(): boolean {
  if (requests === 0 || waits > 0) return false;
  const now = performance.now();
  heldSince ??= now;
  const left = heldSince + REQUEST_HOLD_MS - now;
  if (left <= 0) return false;
  if (!holdTimer) {
    holdTimer = setTimeout(() => {
      holdTimer = undefined;
      schedule();
    }, left);
    holdTimer.unref?.();
  }
  return true;
}

/**
 * Counts a request of the plugin as being answered until the function returned is called
 * (more calls do nothing): meanwhile slices are held back ({@link REQUEST_HOLD_MS}).
 */
export function requestStarted(): () => void {
  requests++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    requests--;
    if (requests === 0) schedule();
  };
}

/**
 * Marks a wait on background work (a cluster's view being built, a request's own slices): no
 * slice is held back until it settles, or the request would wait for its own hold.
 */
export function waitedOn<T>(work: Promise<T>): Promise<T> {
  waits++;
  schedule();
  const settled = () => {
    waits--;
  };
  work.then(settled, settled);
  return work;
}

/**
 * Resolves at a later turn of the event loop, when the slices queued before have run: one per
 * turn, in the order they were asked for.
 */
export function nextSlice(): Promise<void> {
  return new Promise(resolve => {
    waiting.push(resolve);
    schedule();
  });
}

const RESOLVED = Promise.resolve();

/**
 * For long work on the event loop: a function to await between steps, which waits for the next
 * slice ({@link nextSlice}) once `sliceMs` have passed since the slice began, so requests wait at
 * most about a slice.
 */
export function yieldEvery(sliceMs: number): () => Promise<void> {
  let sliceStart = performance.now();
  const began = () => {
    sliceStart = performance.now();
  };
  // Called after every step (thousands per slice): no promise of its own until a slice ends.
  return () =>
    performance.now() - sliceStart > sliceMs
      ? nextSlice().then(began)
      : RESOLVED;
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
