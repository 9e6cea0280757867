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

/**
 * How many policies a family of policy findings reads per step of a delta's apply: about 3 ms for
 * AuthorizationPolicies of a 10,000-pod cluster, which took up to 41 ms as one step
 * (docs/benchmarks.md "What holds the event loop during churn").
 */
export const POLICIES_PER_STEP = 64;
