/**
 * Work taken a step at a time is a generator that yields between its steps (a delta's apply,
 * `IncrementalEvaluator.applySteps`); this takes every step at once and gives its result.
 */
export function finish<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
