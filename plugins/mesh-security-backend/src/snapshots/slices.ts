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
